// Files attached to a draft (a news item: up to 10 photos or one video; an event: one photo):
// thumbnails, removal, and a file input that uploads to POST /api/v1/media. The API sniffs the
// type and enforces the sizes; the field checks the counts first and words the API's refusals.
import { useEffect, useState } from 'preact/hooks';
import { SessionEnded, upload } from '../api.js';
import { html } from '../ui.js';

export const MAX_NEWS_PHOTOS = 10;
/** Photos with one answer (core/messages/answers.service.ts MAX_ANSWER_PHOTOS; the API refuses more). */
export const MAX_ANSWER_PHOTOS = 10;
const ACCEPT_IMAGES = 'image/jpeg,image/png,image/webp';

/** A size as people read it: "100 KB", "10 MB". */
const size = (bytes) => (bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`);

/** An upload's or an attachment's refusal as a sentence in the console's language. */
export function mediaProblem(t, error) {
  if (error.code === 'MEDIA_UNSUPPORTED_TYPE') return t('media.unsupported');
  if (error.code === 'MEDIA_TOO_LARGE') return t('media.too_large', { max: size(error.details?.max ?? 0) });
  if (error.code === 'PAYLOAD_TOO_LARGE' || error.status === 413) return t('media.too_large_request');
  return t('error.generic', { detail: error.message });
}

/** A stored file: an image, or a player for a video (the kind from the upload, else from a HEAD request). */
function Thumb({ t, id, kind: known, n }) {
  const [kind, setKind] = useState(known ?? null);
  useEffect(() => {
    if (kind) return;
    fetch(`/api/v1/media/${id}`, { method: 'HEAD', credentials: 'same-origin' }).then(
      (r) => setKind(!r.ok ? 'missing' : (r.headers.get('content-type') ?? '').startsWith('video/') ? 'video' : 'image'),
      () => setKind('missing'),
    );
  }, [id]);
  const label = t('media.item', { n });
  if (kind === 'image') return html`<img src=${`/api/v1/media/${id}`} alt=${label} />`;
  if (kind === 'video') return html`<video src=${`/api/v1/media/${id}`} controls preload="metadata" aria-label=${label}></video>`;
  return html`<span>${kind === 'missing' ? t('media.missing', { id }) : '…'}</span>`;
}

/** Thumbnails of `ids` only (a published item, or a role that does not write). */
export function MediaList({ t, ids }) {
  if (ids.length === 0) return null;
  return html`<ul class="media">${ids.map((id, i) => html`<li key=${id}><${Thumb} t=${t} id=${id} n=${i + 1} /></li>`)}</ul>`;
}

/**
 * The attachments of a draft: `ids` now, `save(ids)` stores a new list (a PATCH, or the create
 * form's state). `single`: one photo (an event); otherwise up to 10 photos or one video (news).
 * `fail`: the page's failure report, for a session that ended meanwhile (back to the sign-in form).
 */
export function MediaField({ t, ids, save, fail, single = false, inputId = 'media-file' }) {
  const [kinds, setKinds] = useState({});
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const hasVideo = ids.some((id) => kinds[id] === 'video');
  const full = single ? false : hasVideo || ids.length >= MAX_NEWS_PHOTOS;

  const add = async (event) => {
    const input = event.target;
    const files = [...input.files];
    setProblem(null);
    if (files.length === 0) return;
    const videos = files.filter((f) => f.type.startsWith('video/')).length;
    if (single && videos > 0) return refuse(input, t('media.image_only'));
    if (!single && videos > 0 && (files.length > 1 || ids.length > 0)) return refuse(input, t('media.video_alone'));
    if (!single && ids.length + files.length > MAX_NEWS_PHOTOS) return refuse(input, t('media.over_limit', { max: MAX_NEWS_PHOTOS }));
    setBusy(true);
    try {
      const stored = [];
      for (const file of files) stored.push(await upload(file));
      // The bytes decide the kind: a video sent as something else is caught here too.
      if (single && stored.some((m) => m.kind !== 'image')) return refuse(input, t('media.image_only'));
      if (!single && stored.some((m) => m.kind === 'video') && ids.length + stored.length > 1) return refuse(input, t('media.video_alone'));
      setKinds({ ...kinds, ...Object.fromEntries(stored.map((m) => [m.id, m.kind])) });
      await save(single ? [stored[0].id] : [...ids, ...stored.map((m) => m.id)]);
      input.value = '';
    } catch (error) {
      if (error instanceof SessionEnded) return fail(error);
      refuse(input, mediaProblem(t, error));
    } finally {
      setBusy(false);
    }
  };
  function refuse(input, text) {
    input.value = '';
    setProblem(text);
  }
  const remove = async (id) => {
    setProblem(null);
    try {
      await save(ids.filter((x) => x !== id));
    } catch (error) {
      if (error instanceof SessionEnded) return fail(error);
      setProblem(mediaProblem(t, error));
    }
  };

  return html`<fieldset class="media-field">
    <legend>${single ? t('media.photo') : t('media.title')}</legend>
    ${ids.length === 0 ? html`<p>${t('media.none')}</p>` : html`<ul class="media">${ids.map(
      (id, i) => html`<li key=${id}>
        <${Thumb} t=${t} id=${id} kind=${kinds[id]} n=${i + 1} />
        <button type="button" class="secondary" onClick=${() => remove(id)} aria-label=${t('media.remove_n', { n: i + 1 })}>${t('media.remove')}</button>
      </li>`,
    )}</ul>`}
    ${full ? html`<p>${t('media.full', { max: MAX_NEWS_PHOTOS })}</p>` : html`
      <label for=${inputId}>${single ? (ids.length > 0 ? t('media.replace_photo') : t('media.add_photo')) : t('media.add')}</label>
      <input id=${inputId} type="file" accept=${single ? ACCEPT_IMAGES : `${ACCEPT_IMAGES},video/mp4`} multiple=${!single} disabled=${busy} onChange=${add} aria-describedby=${`${inputId}-hint`} />
      <p id=${`${inputId}-hint`} class="hint">${single ? t('media.hint_photo') : t('media.hint', { max: MAX_NEWS_PHOTOS })}</p>`}
    ${busy && html`<p role="status">${t('media.uploading')}</p>`}
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
  </fieldset>`;
}

/**
 * Photos chosen for something not saved yet (an official's answer): `ids` now, `save(ids)` keeps the
 * new list in the form's state, `onBusy(true|false)` while files upload (the form waits for them),
 * `fail` the page's failure report (an ended session).
 * Images only, at most `max`; each file is uploaded on its own (POST /api/v1/media), so one refused
 * file (not an image, too large) is named and the others stay attached.
 */
export function PhotoField({ t, ids, save, max, fail, onBusy = () => undefined, inputId = 'photo-file', legend = t('media.answer_photos') }) {
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState([]);
  const full = ids.length >= max;

  const add = async (event) => {
    const input = event.target;
    const files = [...input.files];
    input.value = '';
    setProblems([]);
    if (files.length === 0) return;
    if (ids.length + files.length > max) return setProblems([t('media.photos_over', { max, left: max - ids.length })]);
    setBusy(true);
    onBusy(true);
    const stored = [];
    const refused = [];
    try {
      for (const file of files) {
        // A file the browser already knows is not an image is not sent at all.
        if (file.type && !ACCEPT_IMAGES.split(',').includes(file.type)) {
          refused.push(t('media.file_refused', { name: file.name, problem: t('media.image_only') }));
          continue;
        }
        try {
          const media = await upload(file);
          // The bytes decide the kind: a video named as a photo is caught here.
          if (media.kind !== 'image') refused.push(t('media.file_refused', { name: file.name, problem: t('media.image_only') }));
          else stored.push(media.id);
        } catch (error) {
          // The session ended meanwhile: back to the sign-in form, as every other request does.
          if (error instanceof SessionEnded) return fail(error);
          // Not an image by its bytes: said as what this field takes (photos), not what the store takes.
          const problem = error.code === 'MEDIA_UNSUPPORTED_TYPE' ? t('media.image_only') : mediaProblem(t, error);
          refused.push(t('media.file_refused', { name: file.name, problem }));
        }
      }
      // The same bytes are stored once: a photo chosen twice is attached once.
      save([...ids, ...stored.filter((id, i) => !ids.includes(id) && stored.indexOf(id) === i)]);
      setProblems(refused);
    } finally {
      setBusy(false);
      onBusy(false);
    }
  };
  const remove = (id) => {
    setProblems([]);
    // A refusal of the answer's photos marked the input (ui.js refuse): removing one answers it.
    document.getElementById(inputId)?.setCustomValidity('');
    save(ids.filter((x) => x !== id));
  };

  return html`<fieldset class="media-field">
    <legend>${legend}</legend>
    <p>${t('media.photos_count', { n: ids.length, max })}</p>
    ${ids.length > 0 && html`<ul class="media">${ids.map(
      (id, i) => html`<li key=${id}>
        <${Thumb} t=${t} id=${id} kind="image" n=${i + 1} />
        <button type="button" class="secondary" onClick=${() => remove(id)} aria-label=${t('media.remove_n', { n: i + 1 })}>${t('media.remove')}</button>
      </li>`,
    )}</ul>`}
    ${full ? html`<p>${t('media.photos_full', { max })}</p>` : html`
      <label for=${inputId}>${t('media.add_photos')}</label>
      <input id=${inputId} data-field="mediaIds" type="file" accept=${ACCEPT_IMAGES} multiple disabled=${busy} onChange=${add} aria-describedby=${`${inputId}-hint`} />
      <p id=${`${inputId}-hint`} class="hint">${t('media.hint_photos', { max })}</p>`}
    ${busy && html`<p role="status">${t('media.uploading')}</p>`}
    ${problems.length > 0 && html`<div class="error" role="alert">${problems.map((p) => html`<p>${p}</p>`)}</div>`}
  </fieldset>`;
}
