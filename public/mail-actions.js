// Acting on mail in place (the inbox and the message page). Without this script the same forms
// post and come back (303) with the status line; with it, the same choices go through the JSON
// API (/api/messages/..., X-CSRF-Token from <meta name="csrf-token">) and the page changes in
// place: rows leave at once and come back on undo. The undo stays until the next action or
// navigation (no time limit, WCAG 2.2.1). Without gmail.modify the API answers 403
// scope_missing and the form is posted as it is, which goes to Google's consent for it.
(() => {
  'use strict';
  const meta = document.querySelector('meta[name="csrf-token"]');
  const status = document.getElementById('action-status');
  if (!meta || !status || !window.fetch) return;
  const csrfToken = meta.content;
  const ONE = /^\/messages\/([0-9a-f]+)\/(read|unread|archive)$/;
  /** Rows the last action took out of the list, with the row that followed each. */
  let taken = [];

  function fill(text, count) {
    return (text || '').replace('{count}', String(count));
  }

  function dataKey(name) {
    return name.replace(/-(\w)/g, (match, letter) => letter.toUpperCase());
  }

  /** What a submit asks for, or undefined for a form this script leaves alone. */
  function planOf(form, submitter) {
    // A button without its own formaction reports the page's URL as formAction (HTML spec), and
    // `form.action` is the form's control named "action" when it has one (the bulk buttons):
    // the attributes say what the markup says.
    const target = submitter?.getAttribute('formaction') ?? form.getAttribute('action') ?? '';
    const path = new URL(target, location.href).pathname;
    if (path === '/messages/undo') {
      return { url: '/api/messages/undo', body: { token: form.elements.token?.value } };
    }
    const one = ONE.exec(path);
    if (one) return { url: `/api${path}`, body: {}, ids: [one[1]], action: one[2] };
    if (path !== '/messages/bulk') return undefined;
    const action = submitter?.name === 'action' ? submitter.value : undefined;
    const selector = form.id === 'page-actions' ? '' : ':checked';
    const ids = Array.from(
      document.querySelectorAll(`input[name="ids"][form="${form.id}"]${selector}`),
      (input) => input.value,
    );
    return { url: '/api/messages/bulk', body: { action, ids }, ids, action };
  }

  /** Shows what happened; with an undo button when there is one (a form, like the server's). */
  function show(text, undo) {
    status.replaceChildren();
    const line = document.createElement('span');
    line.className = 'action-status-text';
    line.tabIndex = -1;
    line.textContent = text;
    status.append(line);
    if (!undo) return line;
    const form = document.createElement('form');
    form.className = 'inline-form';
    form.method = 'post';
    form.action = '/messages/undo';
    for (const [name, value] of [
      ['_csrf', csrfToken],
      ['return_to', location.pathname + location.search],
      ['token', undo],
    ]) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.append(input);
    }
    const button = document.createElement('button');
    button.type = 'submit';
    button.className = 'button';
    button.textContent = status.dataset.undoLabel;
    form.append(button);
    status.append(form);
    return button;
  }

  /** Takes the rows of `ids` out of the list, remembering where each was. */
  function takeRows(ids) {
    taken = [];
    for (const id of ids) {
      const row = document.querySelector(`.messages > li[data-id="${CSS.escape(id)}"]`);
      if (!row) continue;
      taken.push({ row, list: row.parentElement, next: row.nextElementSibling });
      row.remove();
    }
  }

  /**
   * Puts the rows of the last action back where they were: an undo (`undone`: their boxes are
   * cleared), or an action that did not happen (the selection stays, for the form to post).
   */
  function restoreRows(undone) {
    for (const { row, list, next } of taken.reverse()) {
      const before = next && next.parentElement === list ? next : null;
      list.insertBefore(row, before);
      if (undone)
        for (const box of row.querySelectorAll('input[type="checkbox"]')) box.checked = false;
    }
    taken = [];
    document.dispatchEvent(new CustomEvent('mail-actions:rows-restored'));
  }

  /** The message page: the buttons that change it now (read and unread swap; archive goes). */
  function updateMessageButtons(action) {
    const form = document.getElementById('message-actions');
    if (!form) return;
    const id = ONE.exec(new URL(form.getAttribute('action') ?? '', location.href).pathname)?.[1];
    const toggle = form.querySelector('[data-action="read"], [data-action="unread"]');
    const archive = form.querySelector('[data-action="archive"]');
    if ((action === 'read' || action === 'unread') && toggle) {
      const next = action === 'read' ? 'unread' : 'read';
      toggle.dataset.action = next;
      toggle.textContent = form.dataset[`${next}Label`];
      form.setAttribute('action', `/messages/${id}/${next}`);
    }
    if (archive) archive.hidden = action === 'archive';
  }

  async function act(form, submitter, plan) {
    if (plan.ids && plan.ids.length === 0) {
      show(status.dataset.noneSelected).focus();
      return;
    }
    const hadFocus = document.activeElement;
    // Rows leave before the answer: the live stream's event for the same change, which may come
    // first, then finds them gone, and an undo can put back exactly these nodes.
    const leaving = plan.action === 'read' || plan.action === 'archive';
    if (leaving) takeRows(plan.ids);
    const answer = await fetch(plan.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify(plan.body),
      credentials: 'same-origin',
    }).catch(() => undefined);
    const data = answer ? await answer.json().catch(() => undefined) : undefined;
    if (leaving && !answer?.ok) restoreRows(false);
    if (answer?.status === 403 && data?.error?.code === 'scope_missing') {
      // Google's consent for gmail.modify: the form itself goes there and comes back done.
      form.dataset.native = 'true';
      form.requestSubmit(submitter);
      return;
    }
    if (!answer?.ok || !data) {
      show(status.dataset.failed).focus();
      return;
    }
    const undone = !plan.action;
    const count = data.changed.length;
    if (undone) restoreRows(true);
    updateMessageButtons(data.action);
    const text = undone
      ? status.dataset.undone
      : count === 0
        ? status.dataset.nothing
        : fill(status.dataset[dataKey(`${data.action}-${count === 1 ? 'one' : 'many'}`)], count);
    const shown = show(text, undone ? undefined : data.undo);
    // Focus stays where it was unless what held it left the page: then on the status line.
    if (!document.contains(hadFocus) || hadFocus?.closest('#action-status')) shown.focus();
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.native === 'true') return;
    const plan = planOf(form, event.submitter);
    if (!plan) return;
    event.preventDefault();
    void act(form, event.submitter, plan);
  });
})();
