/*
 * The live inbox: keeps the first page of "Unread in Inbox" current without a reload, from the
 * server-sent events of /home/events (the page renders every text this script shows, hidden).
 *
 * One stream per browser, shared by its tabs: a browser allows 6 HTTP/1.1 connections per host,
 * so the tab that holds the Web Lock LOCK opens the stream and posts each event on the
 * BroadcastChannel CHANNEL; every tab, the holder included, applies the same events. The
 * other tabs wait in the lock's queue and one of them takes over when the holder closes. A tab
 * hidden for HIDDEN_LET_GO_MS closes the stream (or leaves the queue) and asks again when seen.
 *
 * Each event carries `order`, the ids of the first page after it: a tab's page may be older or
 * newer than the holder's stream, so each tab works out its own change from `order` and asks the
 * other tabs over the channel for the HTML of rows it has never seen.
 *
 * Rows that arrive above or between the rows shown are new mail: they wait behind a button, so
 * nothing is pushed in under the reader's pointer. Rows that arrive below the last row shown
 * are older mail moving up from the next page (a row above left): they go in at once, quietly.
 *
 * Without EventSource, BroadcastChannel or Web Locks the page stays as the server rendered it.
 */
(() => {
  'use strict';

  const LOCK = 'gmail-live-inbox';
  const CHANNEL = 'gmail-live-inbox';
  const HIDDEN_LET_GO_MS = 60000;
  /** Reconnect delays: 1-2 s, then doubling up to 30-60 s (random within each range). */
  const BACKOFF_FIRST_MS = 2000;
  const BACKOFF_MAX_MS = 60000;
  /**
   * A stream open this long, or one that brought an event, has worked: the backoff starts
   * again from 1 s. (One that opens and ends at once, say on an instance that is shutting
   * down, must not bring the page back every second.)
   */
  const STEADY_MS = 10000;
  /** Lets a screen reader notice new text even when it equals the previous announcement. */
  const ANNOUNCE_DELAY_MS = 100;

  const list = document.querySelector('ul.messages[data-live-events]');
  if (
    !list ||
    !('EventSource' in window) ||
    !('BroadcastChannel' in window) ||
    !('locks' in navigator)
  )
    return;
  const countText = document.getElementById('unread-count');
  const range = document.getElementById('inbox-range');
  const empty = document.getElementById('empty-state');
  const showButton = document.getElementById('live-show');
  const announcer = document.getElementById('live-announcer');
  const signedOutNotice = document.getElementById('live-signed-out');
  const stoppedNote = document.getElementById('live-stopped');

  const eventsUrl = new URL(list.dataset.liveEvents, location.href);
  const baseTitle = document.title;
  /** The version of the inbox this page shows: the server's, then the last event applied. */
  let version = Number(list.dataset.liveVersion) || 0;
  /** The ids of the first page, newest first, as last heard. */
  let order = rows().map((row) => row.dataset.id);
  /** Ids of rows that arrived and wait behind the "new messages" button. */
  const pending = new Set();
  /** Ids of rows moving up from the next page, waiting only for their HTML. */
  const backfill = new Set();
  /** The HTML the server rendered of every row this tab shows, holds back or may be asked for. */
  const known = new Map(rows().map((row) => [row.dataset.id, row.outerHTML]));
  const channel = new BroadcastChannel(CHANNEL);

  /** Stopped for good: signed out, or the stream was replaced. */
  let stopped = false;
  /** Set while this tab waits for the lock or holds it; aborting it withdraws a waiting request. */
  let lockTicket;
  /** Set while this tab holds the lock: calling it lets the lock go. */
  let releaseLock;
  let stream;
  let reconnectTimer;
  let steadyTimer;
  let hiddenTimer;
  let attempt = 0;
  /** The holder's latest inbox event, for a tab that comes along later. */
  let lastEvent;

  function rows() {
    return Array.from(list.querySelectorAll(':scope > li.message[data-id]'));
  }

  function fill(text, values) {
    return (text || '').replace(/\{(\w+)\}/g, (match, name) =>
      Object.hasOwn(values, name) ? String(values[name]) : match,
    );
  }

  /** A uniform number in [0, 1) from the platform's CSPRNG. */
  function random() {
    return crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;
  }

  function parse(data) {
    try {
      return JSON.parse(data);
    } catch {
      return undefined;
    }
  }

  function post(message) {
    if (!stopped) channel.postMessage(message);
  }

  // ---- Applying events ----------------------------------------------------------------------

  function isInboxEvent(event) {
    return (
      event !== null &&
      typeof event === 'object' &&
      Number.isFinite(event.version) &&
      (event.added === undefined || Array.isArray(event.added)) &&
      (event.removed === undefined || Array.isArray(event.removed)) &&
      (event.order === undefined || Array.isArray(event.order))
    );
  }

  /**
   * Brings this page to the event's state. `trustReset`: a reset straight from the stream wins
   * even over a higher version (the server could not diff, and may have restarted); a replay
   * for a latecomer never does.
   */
  function apply(event, trustReset) {
    if (stopped || !isInboxEvent(event)) return;
    if (event.version <= version && !(event.reset && trustReset)) return;
    version = event.version;
    const added = (event.added || []).filter(
      (row) => row && typeof row.id === 'string' && typeof row.html === 'string',
    );
    for (const row of added) known.set(row.id, row.html);
    order = Array.isArray(event.order)
      ? event.order.filter((id) => typeof id === 'string')
      : orderWithout(event.removed || [], added);
    const wanted = new Set(order);

    const present = new Set();
    for (const row of rows()) {
      if (wanted.has(row.dataset.id)) {
        present.add(row.dataset.id);
        row.classList.remove('message-left');
      } else removeRow(row);
    }
    for (const waiting of [pending, backfill])
      for (const id of waiting) if (!wanted.has(id)) waiting.delete(id);
    const lastShown = order.findLastIndex((id) => present.has(id));
    let arrived = 0;
    order.forEach((id, index) => {
      if (present.has(id) || pending.has(id) || backfill.has(id)) return;
      if (lastShown >= 0 && index > lastShown) backfill.add(id);
      else {
        pending.add(id);
        arrived++;
      }
    });
    for (const id of known.keys()) if (!wanted.has(id) && !present.has(id)) known.delete(id);
    const lacking = [...pending, ...backfill].filter((id) => !known.has(id));
    if (lacking.length > 0) post({ type: 'need', ids: lacking });

    showCount(event.unreadCount, event.countText);
    insertRows(backfill);
    updateButton();
    updateList();
    if (arrived > 0)
      announce(
        fill(arrived === 1 ? announcer.dataset.one : announcer.dataset.many, { count: arrived }),
      );
  }

  /** The first page without `removed`, `added` on top: for an event that carries no order. */
  function orderWithout(removed, added) {
    const gone = new Set(removed.concat(added.map((row) => row.id)));
    const kept = order.concat([...pending]).filter((id) => !gone.has(id));
    return added.map((row) => row.id).concat(kept);
  }

  /** A row that left goes at once, unless focus is in it: then it goes when focus leaves. */
  function removeRow(row) {
    if (row.contains(document.activeElement)) row.classList.add('message-left');
    else row.remove();
  }

  function sweepLeftRows() {
    for (const row of list.querySelectorAll(':scope > li.message-left'))
      if (!row.contains(document.activeElement)) row.remove();
    updateList();
  }

  function showCount(count, text) {
    if (typeof text === 'string') countText.textContent = text;
    if (Number.isFinite(count)) document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
  }

  /** The list, the empty state and "Showing 1–N" follow the rows the page shows. */
  function updateList() {
    const shown = rows().filter((row) => !row.classList.contains('message-left')).length;
    list.hidden = list.children.length === 0;
    if (empty) empty.hidden = shown > 0;
    // The action buttons (mail-actions.js) are offered once there are rows to act on.
    const actions = document.getElementById('bulk-actions');
    if (actions) actions.hidden = shown === 0;
    if (range) {
      range.hidden = shown === 0;
      range.textContent = fill(range.dataset.text, { from: 1, to: shown });
    }
  }

  function announce(text) {
    announcer.textContent = '';
    setTimeout(() => {
      announcer.textContent = text;
    }, ANNOUNCE_DELAY_MS);
  }

  /*
   * An undo (public/mail-actions.js) put rows back where they were: they are not new mail, so
   * an event that brought them first no longer holds them behind the button.
   */
  document.addEventListener('mail-actions:rows-restored', () => {
    const present = new Set(rows().map((row) => row.dataset.id));
    for (const waiting of [pending, backfill])
      for (const id of waiting) if (present.has(id)) waiting.delete(id);
    updateButton();
    updateList();
  });

  // ---- The "new messages" button ------------------------------------------------------------

  /*
   * New rows wait behind the button, so nothing is pushed in under the reader's pointer. Focus
   * never moves: when the button's rows have gone in while it has focus, it stays where it is,
   * marked aria-disabled ("All new messages are shown") rather than disappearing from under
   * the focus, and goes once focus leaves it. Taking focus to the first new row instead would
   * move it, and hiding a focused button drops focus to the document.
   */
  function updateButton() {
    const count = pending.size;
    if (count > 0) {
      showButton.textContent = fill(
        count === 1 ? showButton.dataset.one : showButton.dataset.many,
        { count },
      );
      showButton.removeAttribute('aria-disabled');
      showButton.hidden = false;
    } else if (showButton === document.activeElement) {
      showButton.textContent = showButton.dataset.none;
      showButton.setAttribute('aria-disabled', 'true');
    } else {
      showButton.hidden = true;
      showButton.removeAttribute('aria-disabled');
    }
  }

  function showPending() {
    for (const row of insertRows(pending)) row.classList.add('message-new');
    updateButton();
    updateList();
  }

  /**
   * Moves the rows of `waiting` whose HTML this tab has into the list, each at its place in
   * `order`; rows already shown do not move (moving a row would take focus out of it).
   */
  function insertRows(waiting) {
    const shown = new Map(rows().map((row) => [row.dataset.id, row]));
    const inserted = [];
    order.forEach((id, index) => {
      if (!waiting.has(id) || !known.has(id)) return;
      waiting.delete(id);
      const row = shown.has(id) ? undefined : rowFrom(id, known.get(id));
      if (!row) return;
      const next = order.slice(index + 1).find((later) => shown.has(later));
      list.insertBefore(row, next === undefined ? null : shown.get(next));
      shown.set(id, row);
      inserted.push(row);
    });
    return inserted;
  }

  /** The server's HTML of one row, checked to be exactly one row of that id. */
  function rowFrom(id, html) {
    const template = document.createElement('template');
    template.innerHTML = html.trim();
    const row = template.content.firstElementChild;
    const single = template.content.childElementCount === 1;
    return single && row instanceof HTMLLIElement && row.dataset.id === id ? row : undefined;
  }

  showButton.addEventListener('click', () => {
    if (showButton.getAttribute('aria-disabled') !== 'true') showPending();
  });
  // Focus lands on its next element after focusout: look once it has.
  showButton.addEventListener('focusout', () =>
    setTimeout(() => {
      if (pending.size === 0 && showButton !== document.activeElement) updateButton();
    }),
  );
  list.addEventListener('focusout', () => setTimeout(sweepLeftRows));

  // ---- The stream (only in the tab that holds the lock) ---------------------------------------

  function seekLock() {
    if (stopped || lockTicket) return;
    const ticket = new AbortController();
    lockTicket = ticket;
    navigator.locks
      .request(LOCK, { signal: ticket.signal }, () => {
        // Granted just as this tab let go: give it back at once.
        if (lockTicket !== ticket || stopped) return undefined;
        return new Promise((resolve) => {
          releaseLock = resolve;
          connect();
        });
      })
      .catch(() => {
        // AbortError: this tab stopped waiting (hidden, or stopped for good).
      })
      .finally(() => {
        if (lockTicket === ticket) lockTicket = undefined;
      });
  }

  /** Closes the stream and lets the lock go, or leaves the queue for it. */
  function letGo() {
    clearTimeout(reconnectTimer);
    closeStream();
    lockTicket?.abort();
    lockTicket = undefined;
    releaseLock?.();
    releaseLock = undefined;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (stopped || !releaseLock) return;
    const url = new URL(eventsUrl);
    url.searchParams.set('since', String(version));
    const source = new EventSource(url);
    stream = source;
    source.addEventListener('open', () => {
      clearTimeout(steadyTimer);
      steadyTimer = setTimeout(() => {
        attempt = 0;
      }, STEADY_MS);
    });
    source.addEventListener('inbox', (message) => {
      attempt = 0;
      const event = parse(message.data);
      if (!isInboxEvent(event)) return;
      lastEvent = event;
      post({ type: 'inbox', event });
      apply(event, true);
    });
    source.addEventListener('end', (message) => {
      // Closed before the server's close, which EventSource would take for a reason to retry.
      closeStream();
      const reason = parse(message.data)?.reason;
      post({ type: 'end', reason });
      ended(reason);
    });
    // EventSource gives up for good on any answer but 200, and on a dropped connection it
    // retries at once without asking why: this page decides instead, with a backoff.
    source.addEventListener('error', () => {
      if (stream !== source) return;
      closeStream();
      askWhy();
    });
  }

  function closeStream() {
    clearTimeout(steadyTimer);
    stream?.close();
    stream = undefined;
  }

  /** HEAD /home/events answers 401 when the session is gone, 200 without a stream otherwise. */
  function askWhy() {
    fetch(eventsUrl, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' })
      .then((response) => {
        if (response.status !== 401) return reconnectLater();
        post({ type: 'end', reason: 'signed-out' });
        ended('signed-out');
      })
      .catch(reconnectLater);
  }

  function reconnectLater() {
    if (stopped || !releaseLock) return;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    attempt = Math.min(attempt + 1, 6);
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, ceiling / 2 + (random() * ceiling) / 2);
  }

  /** The server ended the stream (or, in a tab without it, the holder said so). */
  function ended(reason) {
    if (reason === 'signed-out' || reason === 'expired') stop(signedOutNotice, true);
    else if (reason === 'replaced') stop(stoppedNote, false);
    // "shutdown", or a reason this script does not know: the holder comes back later.
    else reconnectLater();
  }

  function stop(note, tell) {
    if (stopped) return;
    letGo();
    stopped = true;
    channel.close();
    clearTimeout(hiddenTimer);
    note.hidden = false;
    if (tell) announce(note.textContent.replace(/\s+/g, ' ').trim());
  }

  // ---- Between tabs ---------------------------------------------------------------------------

  channel.addEventListener('message', ({ data }) => {
    if (stopped || data === null || typeof data !== 'object') return;
    if (data.type === 'inbox') apply(data.event, !data.replay);
    else if (data.type === 'end') ended(data.reason);
    else if (data.type === 'hello') {
      if (releaseLock && lastEvent && lastEvent.version > data.version)
        post({ type: 'inbox', event: lastEvent, replay: true });
    } else if (data.type === 'need' && Array.isArray(data.ids)) {
      const rowsKnown = data.ids
        .filter((id) => known.has(id))
        .map((id) => ({ id, html: known.get(id) }));
      if (rowsKnown.length > 0) post({ type: 'rows', rows: rowsKnown });
    } else if (data.type === 'rows' && Array.isArray(data.rows)) {
      for (const row of data.rows) {
        const waiting = row && (pending.has(row.id) || backfill.has(row.id));
        if (waiting && typeof row.html === 'string' && !known.has(row.id))
          known.set(row.id, row.html);
      }
      insertRows(backfill);
      updateList();
    }
  });

  /** Asks the holder for what happened since this page's version, and for the lock. */
  function join() {
    post({ type: 'hello', version });
    seekLock();
  }

  document.addEventListener('visibilitychange', () => {
    clearTimeout(hiddenTimer);
    if (document.hidden) hiddenTimer = setTimeout(letGo, HIDDEN_LET_GO_MS);
    else if (!stopped) join();
  });
  // A page kept in the back-forward cache lets go, and takes part again when it comes back.
  window.addEventListener('pagehide', (event) => {
    if (event.persisted) letGo();
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && !stopped) join();
  });

  showCount(Number(list.dataset.liveCount), undefined);
  updateList();
  join();
  if (document.hidden) hiddenTimer = setTimeout(letGo, HIDDEN_LET_GO_MS);
})();
