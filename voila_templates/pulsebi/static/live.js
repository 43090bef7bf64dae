// Pulse BI live tiles without a kernel: the page's [data-live] tiles follow the dashboard
// server's own WebSocket, /pulsebi/live (lib/pulsebi/serve/live_socket.py).
//
// A tile is `.pbi-tile[data-live=<field>]` (the KPI field the live worker publishes), as the
// tile widget draws it (lib/pulsebi/widgets/tile.py): its value `.pbi-tile-value` (compact
// text, the exact value as its title and data-value), its state `data-state` and badge
// `.pbi-tile-state`. The server sends each value with the tile's own formatted texts, and its
// state; this script only puts them on the tiles:
// - state: "live", "reconnecting" (the server lost Redis, or this page lost the server),
//   "stale" (the worker's database is down or its heartbeat late; "Stale since 14:32") or
//   "loading" (nothing known yet), with the widget's badges; loading and stale values are dimmed;
// - `data-refresh="N"` on a tile (or on an element around tiles: the page's setting for those
//   without their own; "live" or none: every change): at most one new value every N seconds
//   (the newest at the end of the interval); state changes show at once;
// - a lost socket is retried with backoff (0.2 s doubling to 5 s, with jitter);
// - the worker's word that the CRM changed fires `pulsebi:crm-changed` on the window;
// - with a value, the tile's threshold status (edge colour) and comparison lines follow, as the
//   server computes them: a tile's comparison values are its `data-previous` (a number, or a
//   list: one per `.pbi-tile-change` line, in order), its direction `data-better` (else its
//   metric's, `data-metric`).
// The socket's address comes from this script's own URL (.../voila/templates/...); a
// `data-socket` attribute on the script tag overrides it.
(function () {
  "use strict";
  var script = document.currentScript;
  // The widget's badges (pulsebi.widgets.tile.STATE_BADGES); the server's hello sends them too.
  var BADGES = {
    live: { text: "\u25CF Live", colour: "#1e8e3e" },
    reconnecting: { text: "\u25CC Reconnecting\u2026", colour: "#b26a00" },
    stale: { text: "\u25FC Stale", colour: "#c5221f" },
    loading: { text: "Loading\u2026", colour: "#5f6368" },
  };
  var DIMMED = { loading: 1, stale: 1 };
  var FIRST_DELAY = 0.2, MAX_DELAY = 5; // seconds

  var values = {}; // field -> {value, unit, text, exact, data, seq, at}
  var server = { state: "loading", since: null, badge: null }; // the server's own state
  var connected = false, everConnected = false, attempt = 0, socket = null, timer = null;
  var tiles = new WeakMap(); // element -> {shownSeq, shownAt, state, pending, extras}
  var described = []; // the tiles told to the server, by id (their index)

  function socketUrl() {
    var given = script && script.getAttribute("data-socket");
    if (given) return new URL(given, window.location.href).href.replace(/^http/, "ws");
    var src = (script && script.src) || window.location.href;
    var base = src.indexOf("/voila/") >= 0 ? src.slice(0, src.indexOf("/voila/") + 1) : "/";
    return new URL(base + "pulsebi/live", window.location.href).href.replace(/^http/, "ws");
  }

  // Tiles only: a first paint's wrapper also has data-live (a selector, pulsebi.js).
  function liveTiles() {
    return document.querySelectorAll(".pbi-tile[data-live]");
  }

  // The state a tile on `field` shows (the kernels' subscriber's rules).
  function stateOf(field) {
    if (!connected) return everConnected || attempt > 0 ? "reconnecting" : "loading";
    if (server.state === "reconnecting" || server.state === "loading") return server.state;
    if (!(field in values)) return "loading";
    return server.state;
  }

  function badgeOf(state) {
    if (state === "stale" && server.state === "stale" && connected && server.badge) {
      return server.badge; // "Stale since 14:32", in the company's time zone
    }
    return (BADGES[state] || { text: "" }).text;
  }

  function showBadge(tile, state) {
    var badge = tile.querySelector(".pbi-tile-state");
    if (!badge) {
      var label = tile.querySelector(".pbi-tile-label");
      if (!label || !label.parentNode) return;
      badge = document.createElement("span");
      badge.className = "pbi-tile-state";
      badge.style.textTransform = "none";
      badge.style.whiteSpace = "nowrap";
      label.parentNode.appendChild(badge);
    }
    badge.textContent = badgeOf(state);
    if (BADGES[state]) badge.style.color = BADGES[state].colour;
  }

  function showValue(tile, shown) {
    var target = tile.querySelector(".pbi-tile-value");
    if (!target) return;
    target.textContent = shown.text;
    target.setAttribute("title", shown.exact);
    if (shown.data === null || shown.data === undefined) target.removeAttribute("data-value");
    else target.setAttribute("data-value", shown.data);
  }

  function dim(tile, state) {
    var target = tile.querySelector(".pbi-tile-value");
    if (target) target.style.opacity = DIMMED[state] ? "0.45" : "";
  }

  // The tile's own data-refresh, else the nearest enclosing one (a page's setting), else live.
  function refreshOf(tile) {
    var holder = tile.closest("[data-refresh]");
    var seconds = holder ? parseFloat(holder.getAttribute("data-refresh")) : 0;
    return seconds > 0 ? seconds * 1000 : 0;
  }

  // Draw one tile: its state at once, its value now or (data-refresh) when its interval ends.
  function draw(tile, stateChanged) {
    var field = tile.getAttribute("data-live");
    var mine = tiles.get(tile);
    if (!mine) {
      mine = { shownSeq: null, shownAt: -Infinity, state: null, pending: null };
      tiles.set(tile, mine);
    }
    var state = stateOf(field);
    var badge = badgeOf(state);
    if (state !== mine.state || badge !== mine.badge || stateChanged) {
      mine.state = state;
      mine.badge = badge;
      tile.setAttribute("data-state", state);
      showBadge(tile, state);
      dim(tile, state);
    }
    var shown = values[field];
    if (!shown || shown.seq === mine.shownSeq) return;
    var wait = mine.shownAt + refreshOf(tile) - Date.now();
    if (wait > 0 && !stateChanged) {
      if (!mine.pending) {
        mine.pending = window.setTimeout(function () {
          mine.pending = null;
          draw(tile, false);
        }, wait);
      }
      return;
    }
    if (mine.pending) {
      window.clearTimeout(mine.pending);
      mine.pending = null;
    }
    mine.shownSeq = shown.seq;
    mine.shownAt = Date.now();
    showValue(tile, shown);
    showExtras(tile, mine);
  }

  // What depends on the value besides its text (the server's "tiles" message): the threshold
  // status and edge colour, and each comparison line's arrow, text and tone. Only for the value
  // shown: a throttled tile gets them with its value.
  function showExtras(tile, mine) {
    var extras = mine.extras;
    if (!extras || extras.seq !== mine.shownSeq) return;
    tile.setAttribute("data-status", extras.status);
    tile.style.borderLeftColor = extras.edge;
    var lines = tile.querySelectorAll(".pbi-tile-change");
    for (var i = 0; i < lines.length && i < extras.changes.length; i++) {
      var change = extras.changes[i], line = lines[i];
      line.setAttribute("data-tone", change.tone);
      line.style.color = change.colour;
      if (line.firstChild && line.firstChild.nodeType === 3) {
        line.firstChild.nodeValue = change.arrow + " " + change.text + " ";
      }
    }
  }

  function previousOf(tile) {
    var raw = tile.getAttribute("data-previous");
    if (raw === null) return [];
    try {
      var parsed = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch (e) {
      return [];
    }
  }

  // Tell the server the page's tiles (field, metric, comparison values), so it sends what
  // changes with their values.
  function describeTiles() {
    var all = liveTiles(), list = [];
    described = [];
    for (var i = 0; i < all.length; i++) {
      described.push(all[i]);
      list.push({
        id: String(i),
        field: all[i].getAttribute("data-live"),
        metric: all[i].getAttribute("data-metric") || null,
        previous: previousOf(all[i]),
        better: all[i].getAttribute("data-better") || null,
      });
    }
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: "tiles", tiles: list }));
    }
  }

  function receiveTiles(message) {
    for (var id in message.tiles) {
      var tile = described[+id];
      var mine = tile && tiles.get(tile);
      if (!mine) continue;
      mine.extras = message.tiles[id];
      showExtras(tile, mine);
    }
  }

  function drawAll(stateChanged, fields) {
    var all = liveTiles();
    for (var i = 0; i < all.length; i++) {
      if (!fields || fields[all[i].getAttribute("data-live")]) draw(all[i], stateChanged);
    }
  }

  function setState(message) {
    server = { state: message.state, since: message.since, badge: message.badge || null };
  }

  function receive(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (message.type === "hello") {
      connected = everConnected = true;
      attempt = 0;
      if (message.badges) BADGES = message.badges;
      setState(message.state);
      for (var field in message.values) values[field] = message.values[field];
      drawAll(true);
      describeTiles();
    } else if (message.type === "tiles") {
      receiveTiles(message);
    } else if (message.type === "values") {
      for (var f in message.values) values[f] = message.values[f];
      drawAll(false, message.values);
    } else if (message.type === "state") {
      setState(message);
      drawAll(true);
    } else if (message.type === "changed") {
      // the CRM changed: a page part that covers today may refetch its figures
      window.dispatchEvent(new CustomEvent("pulsebi:crm-changed", { detail: message }));
    }
  }

  function connect() {
    timer = null;
    try {
      socket = new WebSocket(socketUrl());
    } catch (e) {
      lost();
      return;
    }
    socket.onmessage = receive;
    socket.onclose = lost;
  }

  function lost() {
    if (socket) socket.onclose = socket.onmessage = null;
    socket = null;
    connected = false;
    if (timer !== null) return;
    var delay = Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, attempt++));
    timer = window.setTimeout(connect, delay * 1000 * (0.75 + 0.25 * Math.random()));
    drawAll(true); // reconnecting: the tiles keep their last values
  }

  // Connect once the page has a live tile (a snapshot's body may arrive after this script).
  function start() {
    if (socket || timer !== null) return true;
    if (!liveTiles().length) return false;
    connect(); // the tiles keep the page's own markup until the server answers
    return true;
  }

  function watchForTiles() {
    if (start()) return;
    var observer = new MutationObserver(function () {
      if (start()) observer.disconnect();
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
  }

  // New tiles (a page part drawn later) are drawn with what is known.
  window.pulsebiLive = {
    scan: function () {
      if (!start()) return;
      drawAll(true);
      describeTiles();
    },
    values: values,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchForTiles);
  } else {
    watchForTiles();
  }
})();
