// News (news.read; writing: news.write): the list with publish / archive, and a new item saved as a draft.
import { can } from '../access.js';
import { post } from '../api.js';
import { excerpt, html, moreButton, nameOf, useAction, useApi, usePaged, when } from '../ui.js';

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
          <td><strong>${n.title}</strong><br />${excerpt(n.body, 100)}</td>
          <td>${t(`news.states.${n.state}`)}</td>
          <td>${when(n.publishedAt ?? n.publishAt)}</td>
          ${writes && html`<td>
            ${(n.state === 'draft' || n.state === 'scheduled') && html`<form onSubmit=${(e) => act(e, () => post(`/api/v1/news/${n.id}/publish`))}><button type="submit" aria-label=${`${t('news.publish')} ${n.id}`}>${t('news.publish')}</button></form>`}
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
  const create = async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    try {
      await post('/api/v1/news', {
        municipalityId: me.municipalityId ?? (f.municipality.value ? Number(f.municipality.value) : null),
        title: f.title.value,
        body: f.body.value,
        ...(f.link.value.trim() ? { link: f.link.value.trim() } : {}),
      });
      notify(t('act.done'));
      location.hash = '#/news';
    } catch (error) {
      fail(error);
    }
  };
  return html`<main>
    <p><a href="#/news">${t('news.back')}</a></p>
    <h1>${t('news.create')}</h1>
    <form onSubmit=${create}>
      ${me.municipalityId === null && html`<label for="municipality">${t('incidents.municipality')}</label>
        <select id="municipality" name="municipality">
          <option value="">${t('incidents.region')}</option>
          ${(towns?.items ?? []).map((m) => html`<option value=${m.id}>${nameOf(lang, m)}</option>`)}
        </select>`}
      <label for="title">${t('news.name')}</label><input id="title" name="title" required maxlength="200" />
      <label for="body">${t('news.body')}</label><textarea id="body" name="body" required maxlength="20000"></textarea>
      <label for="link">${t('news.link')}</label><input id="link" name="link" type="url" maxlength="500" />
      <p><button type="submit">${t('news.save')}</button></p>
    </form>
  </main>`;
}
