// Pulse BI page guard: tell the viewer when the figures on screen stop being live.
//
// Voilà's page talks to its kernel over one WebSocket (/api/kernels/<id>/channels). When that
// socket drops, or the kernel dies and the server starts a blank one under the same id, the page
// would keep showing its last numbers as if current. This script watches the kernel sockets the
// page opens and shows a banner: "connection lost — reconnecting" while it is down, and "this
// dashboard restarted — reload" when the kernel behind it is new or gone.
(function () {
  "use strict";
  var NativeWebSocket = window.WebSocket;
  var KERNEL_SOCKET = /\/api\/kernels\/([0-9a-f-]{36})\/channels/;
  var RESTARTED = { restarting: 1, autorestarting: 1, dead: 1 };
  var state = "ok";
  var leaving = false;
  var polling = null;
  var openSockets = 0;

  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pagehide", function () { leaving = true; });

  function baseUrl() {
    var config = document.getElementById("jupyter-config-data");
    try {
      return JSON.parse(config.textContent).baseUrl || "/";
    } catch (e) {
      return "/";
    }
  }

  function show(next) {
    if (state === "restarted" || leaving) return; // only a reload gets out of "restarted"
    state = next;
    var banner = document.getElementById("pulsebi-banner");
    if (!banner) return;
    banner.querySelector(".pulsebi-banner-text").textContent =
      next === "lost"
        ? "Connection lost \u2014 reconnecting\u2026 The figures below may be out of date."
        : "This dashboard restarted \u2014 reload to see current figures.";
    banner.setAttribute("data-state", next);
    banner.hidden = false;
    document.body.classList.add("pulsebi-stale");
  }

  function hide() {
    if (state !== "lost") return;
    state = "ok";
    var banner = document.getElementById("pulsebi-banner");
    if (banner) {
      banner.hidden = true;
      banner.removeAttribute("data-state");
    }
    document.body.classList.remove("pulsebi-stale");
  }

  // While the socket is down, ask the server whether the kernel still exists: a 404 means the
  // page's kernel is gone for good (culled, or the server restarted), so only a reload helps.
  function watchKernel(kernelId) {
    if (polling) return;
    polling = window.setInterval(function () {
      if (state !== "lost") {
        window.clearInterval(polling);
        polling = null;
        return;
      }
      fetch(baseUrl() + "api/kernels/" + kernelId, { credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 404) show("restarted");
          else if (response.ok && openSockets > 0) hide();
        })
        .catch(function () { /* server unreachable: still reconnecting */ });
    }, 2000);
  }

  var decoder = new TextDecoder("utf-8");

  // The execution_state of a status message, in either WebSocket protocol (JSON text, or
  // v1.kernel.websocket.jupyter.org: uint64 offsets, then channel, header, parent, metadata, content).
  function statusOf(data) {
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        return msg.header && msg.header.msg_type === "status" ? msg.content.execution_state : null;
      }
      if (!(data instanceof ArrayBuffer)) return null;
      var view = new DataView(data);
      var count = Number(view.getBigUint64(0, true));
      if (count < 6) return null;
      var offsets = [];
      for (var i = 0; i < 6; i++) offsets.push(Number(view.getBigUint64(8 * (i + 1), true)));
      var header = JSON.parse(decoder.decode(data.slice(offsets[1], offsets[2])));
      if (header.msg_type !== "status") return null;
      return JSON.parse(decoder.decode(data.slice(offsets[4], offsets[5]))).execution_state;
    } catch (e) {
      return null;
    }
  }

  function watch(socket, kernelId) {
    socket.addEventListener("open", function () {
      openSockets += 1;
      hide();
    });
    socket.addEventListener("close", function () {
      openSockets = Math.max(0, openSockets - 1);
      if (leaving) return;
      show("lost");
      watchKernel(kernelId);
    });
    socket.addEventListener("message", function (event) {
      var status = statusOf(event.data);
      if (status && RESTARTED[status]) show("restarted");
    });
  }

  function GuardedWebSocket(url, protocols) {
    var socket =
      protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    var match = KERNEL_SOCKET.exec(String(url));
    if (match) watch(socket, match[1]);
    return socket;
  }
  GuardedWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    GuardedWebSocket[name] = NativeWebSocket[name];
  });
  window.WebSocket = GuardedWebSocket;

  // Mark the current dashboard in the navigation.
  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll(".pulsebi-nav a[data-path]");
    for (var i = 0; i < links.length; i++) {
      var path = links[i].getAttribute("data-path");
      if (decodeURIComponent(window.location.pathname).endsWith("/" + path)) {
        links[i].classList.add("active");
      }
    }
  });

  window.pulsebiConnection = function () { return state; };

  // A page's first paint (lib/pulsebi/dashboards/first_paint.py): its figures as HTML, streamed
  // with the page. The template calls this right after it: show the cells at once (Voilà keeps
  // them hidden behind its spinner until its JavaScript has started), then remove each first
  // paint as soon as the live widgets it stands for are drawn (the element its `data-live`
  // selector names, a `.pbi-page` by default), with their tiles if it shows tiles.
  window.pulsebiFirstPaint = function () {
    var cells = document.getElementById("rendered_cells");
    var spinner = document.getElementById("loading");
    if (cells) cells.style.display = "";
    if (spinner) spinner.style.display = "none";
    var started = Date.now();
    function drawn() {
      var paints = document.querySelectorAll(".pbi-first-paint");
      var waiting = 0;
      for (var i = 0; i < paints.length; i++) {
        var selector = paints[i].getAttribute("data-live") || ".pbi-page";
        var live = document.querySelector(".jp-OutputArea-output " + selector);
        var waitsForTiles = paints[i].querySelector(".pbi-tile");
        if (!live || (waitsForTiles && !live.querySelector(".pbi-tile"))) waiting += 1;
        else paints[i].remove();
      }
      return waiting === 0;
    }
    (function poll() {
      if (!drawn() && Date.now() - started < 120000) window.requestAnimationFrame(poll);
    })();
  };
})();
