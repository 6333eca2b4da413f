// News (news.read; writing: news.write): the list with publish / archive, a new item saved as a
// draft, and an item's card where a draft is edited and gets its photos or video (media.write).
import { useState } from 'preact/hooks';
import { can } from '../access.js';
import { patch, post } from '../api.js';
import { changedFields, chosenTown, excerpt, fieldRefusal, html, loading, moreButton, townField, useAction, useApi, usePaged, when } from '../ui.js';
import { MediaField, MediaList } from './media.js';

const editable = (n) => n.state === 'draft' || n.state === 'scheduled';

export function News({ t, me, fail, notify }) {
  const [page, more, reload] = usePaged('/api/v1/news', fail);
  const act = useAction(t, fail, notify, reload);
  const writes = can(me.role, 'news.write');
  return html`<main>
    <h1>${t('news.title')}</h1>
    ${writes && html`<p><a href="#/news/new">${t('news.create')}</a></p>`}
    ${!page ? html`<p>…</p>` : page.items.length === 0 ? html`<p>${t('queue.empty')}</p>` : html`<table>
      <thead><tr><th>№</th><th>${t('news.name')}</th><th>${t('news.state')}</th><th>${t('news.published')}</th>${writes && html`<th>${t('news.actions')}</th>`}</tr></thead>
      <tbody>${page.items.map(
        (n) => html`<tr>
          <td>${n.id}</td>
          <td><a href=${`#/news-item/${n.id}`}><strong>${n.title}</strong></a><br />${excerpt(n.body, 100)}
            ${n.mediaIds.length > 0 && html`<br /><small>${t('media.count', { n: n.mediaIds.length })}</small>`}</td>
          <td class="state">${t(`news.states.${n.state}`)}</td>
          <td>${when(n.publishedAt ?? n.publishAt)}</td>
          ${writes && html`<td>
            ${editable(n) && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/news/${n.id}/publish`))}><button type="submit" aria-label=${`${t('news.publish')} ${n.id}`}>${t('news.publish')}</button></form>`}
            ${n.state === 'published' && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/news/${n.id}/archive`))}><button type="submit" class="secondary" aria-label=${`${t('news.archive')} ${n.id}`}>${t('news.archive')}</button></form>`}
          </td>`}
        </tr>`,
      )}</tbody>
    </table>`}
    ${moreButton(t, page, more)}
  </main>`;
}

export function NewNews({ t, lang, me, fail, notify }) {
  const [towns] = useApi(me.municipalityId === null ? '/api/v1/municipalities' : null, fail);
  const [mediaIds, setMediaIds] = useState([]);
  const attaches = can(me.role, 'media.write');
  const create = async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    try {
      await post('/api/v1/news', {
        municipalityId: chosenTown(me, f),
        title: f.title.value,
        body: f.body.value,
        ...(f.link.value.trim() ? { link: f.link.value.trim() } : {}),
        ...(mediaIds.length > 0 && { mediaIds }),
      });
      notify(t('act.done'), '#/news');
      location.hash = '#/news';
    } catch (error) {
      fail(fieldRefusal(t, event.target, error));
    }
  };
  return html`<main>
    <p><a href="#/news">${t('news.back')}</a></p>
    <h1>${t('news.create')}</h1>
    <form onSubmit=${create}>
      ${townField(t, lang, me, towns, true)}
      <label for="title">${t('news.name')}</label><input id="title" name="title" required maxlength="200" />
      <label for="body">${t('news.body')}</label><textarea id="body" name="body" required maxlength="20000"></textarea>
      <label for="link">${t('news.link')}</label><input id="link" name="link" type="url" maxlength="500" />
      ${attaches && html`<${MediaField} t=${t} fail=${fail} ids=${mediaIds} save=${async (ids) => setMediaIds(ids)} />`}
      <p><button type="submit">${t('news.save')}</button></p>
    </form>
  </main>`;
}

/** One item: its text and files; a draft (or a scheduled one) is edited here and gets its photos. */
export function NewsCard({ id, t, me, fail, notify }) {
  const [n, reload] = useApi(`/api/v1/news/${id}`, fail);
  const act = useAction(t, fail, notify, reload);
  if (!n) return loading;
  const writes = can(me.role, 'news.write') && editable(n);
  const attaches = writes && can(me.role, 'media.write');
  return html`<main>
    <p><a href="#/news">${t('news.back')}</a></p>
    <h1>${n.title}</h1>
    <dl>
      <dt>${t('news.state')}</dt><dd>${t(`news.states.${n.state}`)}</dd>
      <dt>${t('news.published')}</dt><dd>${when(n.publishedAt ?? n.publishAt)}</dd>
    </dl>
    ${writes ? html`<form onSubmit=${(e) => act(e, (f) => patch(`/api/v1/news/${n.id}`, changedFields({ title: f.title.value, body: f.body.value, link: f.link.value.trim() || null }, n)))}>
        <label for="title">${t('news.name')}</label><input id="title" name="title" required maxlength="200" defaultValue=${n.title} />
        <label for="body">${t('news.body')}</label><textarea id="body" name="body" required maxlength="20000" defaultValue=${n.body}></textarea>
        <label for="link">${t('news.link')}</label><input id="link" name="link" type="url" maxlength="500" defaultValue=${n.link ?? ''} />
        <p><button type="submit">${t('act.save')}</button></p>
      </form>` : html`<p class="body">${n.body}</p>${n.link && html`<p><a href=${n.link} target="_blank" rel="noopener noreferrer">${n.link}</a></p>`}`}
    ${attaches ? html`<${MediaField} t=${t} fail=${fail} ids=${n.mediaIds} save=${async (ids) => (await patch(`/api/v1/news/${n.id}`, { mediaIds: ids }), reload())} />` : can(me.role, 'media.read') && html`<${MediaList} t=${t} ids=${n.mediaIds} />`}
    ${writes && html`<div class="actions">
      <form onSubmit=${(e) => act(e, () => post(`/api/v1/news/${n.id}/publish`))}><button type="submit">${t('news.publish')}</button></form>
    </div>`}
  </main>`;
}
