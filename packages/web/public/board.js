/*
 * The board's live updates: the page opens the server-sent events of its own filters
 * (`data-events` on #board-live) and swaps in each `board` event's part, so HQ sees
 * lights and states change without reloading. The part is HTML the server rendered
 * through its escaping templates (never text someone typed put together here), parsed in
 * an inert <template>. Served as a file, so the page's CSP stays `script-src 'self'`.
 * Without EventSource, or when the stream breaks for good, the "reload" link stays the way
 * to fresh figures.
 */
(function () {
  'use strict';
  var live = document.getElementById('board-live');
  var connection = document.getElementById('board-connection');
  if (!live || !connection || typeof window.EventSource !== 'function') return;
  var state = connection.querySelector('.connection-state');

  function say(which) {
    connection.setAttribute('data-state', which);
    if (state) state.textContent = connection.getAttribute('data-' + which) || '';
  }

  say('connecting');
  var source = new EventSource(live.getAttribute('data-events'));
  source.addEventListener('open', function () {
    say('live');
  });
  source.addEventListener('error', function () {
    // EventSource retries by itself while readyState is CONNECTING; CLOSED means it gave up.
    say(source.readyState === EventSource.CLOSED ? 'lost' : 'connecting');
  });
  source.addEventListener('board', function (event) {
    var update;
    try {
      update = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!update || typeof update.html !== 'string') return;
    if (update.version && update.version === live.getAttribute('data-version')) return;
    var holder = document.createElement('template');
    holder.innerHTML = update.html;
    var next = holder.content.getElementById ? holder.content.getElementById('board-live') : holder.content.querySelector('#board-live');
    if (!next) return;
    live.replaceWith(next);
    live = next;
    say('live');
  });
})();
