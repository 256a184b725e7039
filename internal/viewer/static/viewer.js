// Briefcase viewer: page turning, items shown in place, and engagement
// beacons. No framework, no build step; served by internal/viewer.
'use strict';
(function () {
  var app = document.getElementById('app');
  var stage = document.getElementById('stage');
  var now = function () { return performance.now(); };

  // ---- Active time and beacons -------------------------------------------
  //
  // Time counts while the tab is visible and until idleMs after the last
  // input. It is cut into beacons {seq, item_id, page, active_ms} every
  // intervalMs, on a page or item change, when the tab is hidden and on
  // pagehide. A beacon stays queued until an answer acknowledges it, and is
  // sent again (same seq) after a failure: the server drops duplicates.
  var T = null;
  if (app && app.dataset.beaconToken) {
    var t0 = now();
    T = {
      url: app.dataset.beaconUrl,
      token: app.dataset.beaconToken,
      interval: Number(app.dataset.intervalMs) || 10000,
      idle: Number(app.dataset.idleMs) || 60000,
      seq: 0,
      queue: [],
      inflight: false,
      again: false,
      dead: false,
      item: null,
      page: 1,
      pending: 0,
      lastAccrue: t0,
      lastInput: t0,
      visible: document.visibilityState === 'visible'
    };
  }

  // accrue adds the active time since the last call to the pending time.
  function accrue() {
    if (!T) return;
    var t = now();
    if (T.visible && T.item) {
      var end = Math.min(t, T.lastInput + T.idle);
      if (end > T.lastAccrue) T.pending += end - T.lastAccrue;
    }
    T.lastAccrue = t;
  }

  // cut turns the pending time into a queued beacon for the current page.
  function cut() {
    accrue();
    var ms = Math.floor(T.pending);
    if (ms < 1 || !T.item) return;
    T.pending -= ms;
    T.seq += 1;
    T.queue.push({ seq: T.seq, item_id: T.item, page: T.page, active_ms: ms });
  }

  // send cuts a beacon and posts the queue. unloading uses sendBeacon,
  // which outlives the page but cannot read the answer.
  function send(unloading) {
    if (!T || T.dead) return;
    cut();
    if (!T.queue.length) return;
    var batch = T.queue.slice(0, 50);
    var body = JSON.stringify({ token: T.token, beacons: batch });
    if (unloading) {
      var ok = false;
      try { ok = navigator.sendBeacon && navigator.sendBeacon(T.url, body); } catch (e) { ok = false; }
      if (!ok) {
        try {
          fetch(T.url, { method: 'POST', body: body, keepalive: true, credentials: 'same-origin',
            headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
        } catch (e) { /* the page is going away */ }
      }
      return;
    }
    if (T.inflight) { T.again = true; return; }
    T.inflight = true;
    fetch(T.url, { method: 'POST', body: body, keepalive: true, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' } })
      .then(function (r) {
        if (r.ok) {
          return r.json().then(function (res) {
            if (res && res.token) T.token = res.token;
            T.queue = T.queue.filter(function (b) { return batch.indexOf(b) < 0; });
          });
        }
        if (r.status === 400 || r.status === 401 || r.status === 403 || r.status === 404 || r.status === 410) {
          // The link or the token is dead, or the beacons are refused:
          // resending would not help.
          T.dead = true;
          T.queue = [];
        }
      })
      .catch(function () { /* offline: the queue is sent again */ })
      .then(function () {
        T.inflight = false;
        if (T.again) { T.again = false; send(false); }
      });
  }

  if (T) {
    var input = function () { accrue(); T.lastInput = now(); };
    ['mousemove', 'mousedown', 'keydown', 'touchstart', 'wheel', 'pointerdown'].forEach(function (type) {
      document.addEventListener(type, input, { capture: true, passive: true });
    });
    window.addEventListener('scroll', input, { capture: true, passive: true });
    document.addEventListener('visibilitychange', function () {
      accrue();
      if (document.visibilityState === 'hidden') {
        T.visible = false;
        send(false);
      } else {
        T.visible = true;
        T.lastInput = now(); // coming back is activity
      }
    });
    window.addEventListener('pagehide', function () {
      accrue();
      T.visible = false;
      send(true);
    });
    window.addEventListener('pageshow', function (e) {
      if (!e.persisted) return; // back from the back-forward cache
      T.lastAccrue = now();
      T.lastInput = now();
      T.visible = document.visibilityState === 'visible';
    });
    setInterval(function () { send(false); }, T.interval);
  }

  // ---- Page turning ------------------------------------------------------
  var current = null; // the viewer on screen

  function Viewer(el) {
    this.el = el;
    this.pages = Number(el.dataset.pages) || 1;
    this.page = Number(el.dataset.page) || 1;
    this.mode = el.dataset.mode;
    this.pageURL = el.dataset.pageUrl;
    var self = this;
    el.querySelectorAll('[data-turn]').forEach(function (a) {
      a.addEventListener('click', function (e) {
        e.preventDefault();
        self.show(self.page + Number(a.dataset.turn));
      });
    });
    var frame = el.querySelector('[data-tap-turn]');
    if (frame && this.pages > 1) {
      // A tap or click on the right half turns forward, on the left half back.
      frame.addEventListener('click', function (e) {
        if (e.target.closest && e.target.closest('a')) return;
        var box = frame.getBoundingClientRect();
        self.show(self.page + (e.clientX - box.left > box.width / 2 ? 1 : -1));
      });
    }
    this.preload(this.page + 1);
  }

  Viewer.prototype.show = function (n) {
    if (n < 1 || n > this.pages || n === this.page) return;
    if (T) send(false); // the time so far belongs to the page being left
    this.page = n;
    if (T) T.page = n;
    this.el.dataset.page = String(n);
    if (this.mode === 'images') {
      var img = this.el.querySelector('.page-img');
      img.src = this.pageURL + n;
      img.alt = 'Page ' + n + ' of ' + this.pages;
      this.preload(n + 1);
    } else if (this.mode === 'text') {
      this.el.querySelectorAll('.page-text').forEach(function (p) {
        p.hidden = Number(p.dataset.page) !== n;
      });
    }
    var cur = this.el.querySelector('.indicator .cur');
    if (cur) cur.textContent = String(n);
    var prev = this.el.querySelector('.prev');
    var next = this.el.querySelector('.next');
    if (prev) prev.setAttribute('aria-disabled', String(n === 1));
    if (next) next.setAttribute('aria-disabled', String(n === this.pages));
  };

  Viewer.prototype.preload = function (n) {
    if (this.mode === 'images' && n <= this.pages) new Image().src = this.pageURL + n;
  };

  function mount(root) {
    var el = root.querySelector('.viewer');
    current = el ? new Viewer(el) : null;
    if (T) {
      if (T.item) cut(); // what the old item got while the new one loaded
      T.item = current ? current.el.dataset.itemId : null;
      T.page = current ? current.page : 1;
    }
  }

  document.addEventListener('keydown', function (e) {
    if (!current || e.altKey || e.ctrlKey || e.metaKey) return;
    var tag = (e.target && e.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    if (e.key === 'ArrowRight' || e.key === 'PageDown') { current.show(current.page + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') { current.show(current.page - 1); e.preventDefault(); }
  });

  // ---- Items shown in place ----------------------------------------------
  //
  // A click on an item of the contents fetches its viewer and swaps it in,
  // so the visit keeps its one view and beacon token.
  if (app && stage) {
    document.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a.item-link');
      if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      if (T) send(false);
      var url = a.getAttribute('href') + '?part=stage&view=' + encodeURIComponent(app.dataset.view || '');
      fetch(url, { credentials: 'same-origin' })
        .then(function (r) {
          if (r.ok) return r.text();
          throw r.status;
        })
        .then(function (html) {
          stage.innerHTML = html;
          mount(stage);
        })
        .catch(function (status) {
          var p = document.createElement('p');
          p.className = 'empty';
          p.textContent = status === 410 ? 'This item is no longer available.'
            : status === 401 ? 'Please reload the page to continue.'
              : 'This item could not be loaded. Please try again.';
          stage.replaceChildren(p);
          mount(stage);
        })
        .then(function () {
          document.querySelectorAll('.contents .item').forEach(function (li) {
            var link = li.querySelector('a.item-link');
            var on = link === a;
            li.classList.toggle('current', on);
            if (link) { if (on) link.setAttribute('aria-current', 'true'); else link.removeAttribute('aria-current'); }
          });
          if (stage.getBoundingClientRect().top < 0) stage.scrollIntoView({ block: 'start' });
        });
    });
  }

  mount(stage || document);
})();
