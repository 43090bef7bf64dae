// The report builder's field list and drop zones (pulsebi.widgets.field_zones): an anywidget
// ESM with no imports (no CDN, no build step). Pointer events, not HTML5 drag and drop, so
// that a mouse, a pen and a finger drag alike; every drag has a keyboard equivalent.
// The rules (which zone takes which kind of field) come from Python as data, and refusals are
// worded as pulsebi.builder.zones.Zones.refusal words them.

const DRAG_START = 5; // px a pointer moves before a press becomes a drag
let widgetCount = 0;

function clone(zones, defs) {
  const out = {};
  for (const zone of defs) out[zone.id] = [...((zones || {})[zone.id] || [])];
  return out;
}

function render({ model, el }) {
  const uid = `pbi-fz-${++widgetCount}-${Math.random().toString(36).slice(2, 7)}`;
  const state = { query: "", activeField: null, activeChip: {}, press: null, drag: null };
  let defs = [];
  let zoneById = {};
  let kindById = {};
  let fieldById = {};
  let zones = {};
  let menu = null;
  let focusKey = null;

  const make = (tag, attrs = {}, text = "") => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value !== null && value !== undefined) node.setAttribute(key, String(value));
    }
    if (text) node.textContent = text;
    return node;
  };
  const label = (id) => (fieldById[id] ? fieldById[id].label : id);

  // ---- the rules, as Zones in Python has them ----
  const holding = (field) => defs.filter((z) => zones[z.id].includes(field)).map((z) => z.id);
  function refusal(field, zoneId, source) {
    const target = zoneById[zoneId];
    const info = fieldById[field];
    if (!info) return `'${field}' is no field of the catalog`;
    if (!target.kinds.includes(info.kind)) {
      const kind = kindById[info.kind];
      return `${info.label} is ${kind.name}: only ${target.takes} go in ${target.label}; ${kind.hint}`;
    }
    if (source === zoneId) return null;
    if (zones[zoneId].includes(field)) return `${info.label} is already in ${target.label}`;
    for (const other of holding(field)) {
      if (other !== source && zoneById[other].group === target.group) {
        return `${info.label} is already in ${zoneById[other].label}: move it from there`;
      }
    }
    return null;
  }
  function put(next, field, zoneId, index) {
    let items = next[zoneId];
    const at = index === null || index === undefined ? items.length : index;
    items.splice(Math.max(0, Math.min(at, items.length)), 0, field);
    const capacity = zoneById[zoneId].capacity;
    if (capacity !== null && capacity !== undefined && items.length > capacity) {
      items = [field, ...items.filter((f) => f !== field)].slice(0, capacity);
    }
    next[zoneId] = items;
    return next;
  }
  const without = (next, field, zoneId) => {
    next[zoneId] = next[zoneId].filter((f) => f !== field);
    return next;
  };

  // ---- the skeleton, built once ----
  el.classList.add("pbi-fz");
  const root = make("div", { class: "pbi-fz-root", role: "group", "aria-label": "Report fields" });
  const panel = make("div", { class: "pbi-fz-fields" });
  const search = make("input", {
    id: `${uid}-search`,
    class: "pbi-fz-search",
    type: "search",
    placeholder: "Search fields",
    autocomplete: "off",
    "aria-controls": `${uid}-list`,
    "data-key": "search",
  });
  const searchLabel = make("label", { class: "pbi-fz-search-label", for: `${uid}-search` });
  searchLabel.textContent = "Search fields";
  const fieldHelp = make("div", { id: `${uid}-fhelp`, class: "pbi-fz-help" });
  fieldHelp.textContent = "Drag a field to a zone, or press Enter on it to choose one.";
  const list = make("div", {
    id: `${uid}-list`,
    class: "pbi-fz-list",
    role: "listbox",
    "aria-label": "Fields",
    "aria-describedby": `${uid}-fhelp`,
  });
  const noMatch = make("p", { class: "pbi-fz-nomatch", hidden: "" });
  panel.append(searchLabel, search, fieldHelp, list, noMatch);
  const zonesBox = make("div", { class: "pbi-fz-zones" });
  root.append(panel, zonesBox);
  const chipHelp = make("div", { id: `${uid}-chelp`, class: "pbi-fz-help" });
  chipHelp.textContent =
    "In a zone: Enter moves a field to another zone, Alt+↑ and Alt+↓ reorder, Delete removes.";
  const status = make("div", { class: "pbi-fz-status", role: "status", "aria-live": "polite" });
  el.append(root, chipHelp, status);
  const zoneNodes = {};

  function readModel() {
    const rules = model.get("rules") || {};
    defs = rules.zones || [];
    zoneById = Object.fromEntries(defs.map((z) => [z.id, z]));
    kindById = Object.fromEntries((rules.kinds || []).map((k) => [k.id, k]));
    fieldById = Object.fromEntries((model.get("fields") || []).map((f) => [f.id, f]));
    zones = clone(model.get("zones"), defs);
  }

  const listAttrs = (zone) => ({
    role: "listbox",
    "aria-labelledby": `${uid}-z-${zone.id}`,
    "aria-describedby": `${uid}-chelp`,
  });
  function buildZones() {
    zonesBox.replaceChildren();
    for (const zone of defs) {
      const title = `${uid}-z-${zone.id}`;
      const box = make("div", {
        class: "pbi-fz-zone",
        role: "group",
        "aria-labelledby": title,
        "data-zone": zone.id,
      });
      const heading = make("div", { class: "pbi-fz-zone-title" });
      heading.append(make("span", { id: title }, zone.label));
      if (zone.capacity === 1) heading.append(make("span", { class: "pbi-fz-where" }, " one field"));
      const chips = make("div", { class: "pbi-fz-chips", "data-zone": zone.id });
      const empty = make("div", { class: "pbi-fz-placeholder" }, `Drop ${zone.takes} here`);
      const reason = make("div", { class: "pbi-fz-reason", "aria-hidden": "true" });
      box.append(heading, chips, empty, reason);
      zonesBox.append(box);
      zoneNodes[zone.id] = { box, chips, empty, reason };
    }
  }

  // ---- drawing ----
  function visibleFields() {
    const q = state.query.trim().toLowerCase();
    const all = model.get("fields") || [];
    if (!q) return all;
    return all.filter((f) => f.label.toLowerCase().includes(q) || f.id.includes(q));
  }

  function drawList() {
    list.replaceChildren();
    const shown = visibleFields();
    if (!shown.some((f) => f.id === state.activeField)) {
      state.activeField = shown.length ? shown[0].id : null;
    }
    for (const kind of Object.values(kindById)) {
      const mine = shown.filter((f) => f.kind === kind.id);
      if (!mine.length) continue;
      const head = `${uid}-g-${kind.id}`;
      const group = make("div", { role: "group", "aria-labelledby": head });
      group.append(make("div", { id: head, class: "pbi-fz-group-title" }, kind.title));
      for (const field of mine) {
        const active = field.id === state.activeField;
        const option = make("div", {
          id: `${uid}-f-${field.id}`,
          class: "pbi-fz-field",
          role: "option",
          tabindex: active ? 0 : -1,
          "aria-selected": active ? "true" : "false",
          "data-field": field.id,
          "data-kind": field.kind,
          "data-key": `f:${field.id}`,
          title: field.title || null,
        });
        option.append(make("span", { class: "pbi-fz-label" }, field.label));
        const where = holding(field.id).map((z) => zoneById[z].label);
        if (where.length) {
          option.append(make("span", { class: "pbi-fz-where" }, `in ${where.join(", ")}`));
        }
        group.append(option);
      }
      list.append(group);
    }
    noMatch.hidden = shown.length > 0;
    noMatch.textContent = shown.length ? "" : `No field matches “${state.query.trim()}”.`;
  }

  function drawZones() {
    for (const zone of defs) {
      const { chips, empty } = zoneNodes[zone.id];
      chips.replaceChildren();
      const items = zones[zone.id];
      if (!items.includes(state.activeChip[zone.id])) state.activeChip[zone.id] = items[0];
      items.forEach((field, i) => {
        const active = field === state.activeChip[zone.id];
        const chip = make("div", {
          class: "pbi-fz-chip",
          role: "option",
          tabindex: active ? 0 : -1,
          "aria-selected": active ? "true" : "false",
          "aria-posinset": i + 1,
          "aria-setsize": items.length,
          "data-field": field,
          "data-zone": zone.id,
          "data-key": `c:${zone.id}:${field}`,
        });
        chip.append(make("span", { class: "pbi-fz-label" }, label(field)));
        const remove = make("span", {
          class: "pbi-fz-x",
          "aria-hidden": "true",
          title: `Remove ${label(field)} from ${zone.label}`,
        });
        remove.textContent = "×";
        chip.append(remove);
        chips.append(chip);
      });
      empty.hidden = items.length > 0;
      // an empty zone is no list (a listbox needs options); its group still names it
      for (const [key, value] of Object.entries(listAttrs(zone))) {
        if (items.length) chips.setAttribute(key, value);
        else chips.removeAttribute(key);
      }
    }
  }

  function draw() {
    const active = document.activeElement;
    const had = el.contains(active) && active.dataset ? active.dataset.key : null;
    drawList();
    drawZones();
    const want = focusKey || (had && had !== "search" ? had : null);
    focusKey = null;
    if (want) {
      const node = el.querySelector(`[data-key="${CSS.escape(want)}"]`);
      if (node) node.focus();
      else if (want.startsWith("c:")) focusZone(want.split(":")[1]);
    }
  }

  function focusZone(zoneId) {
    const chip = zoneNodes[zoneId].chips.querySelector('[tabindex="0"]');
    if (chip) chip.focus();
    else focusFieldList();
  }
  function focusFieldList() {
    const option = list.querySelector('[tabindex="0"]');
    (option || search).focus();
  }

  // ---- changes: made here, sent to Python, drawn ----
  function say(text, kind = "done") {
    status.dataset.kind = kind;
    status.textContent = "";
    // a fresh text node, so that a screen reader announces the same words twice
    requestAnimationFrame(() => {
      status.textContent = text;
    });
  }
  let committing = false;
  function commit(next, message) {
    zones = next;
    committing = true; // model.set fires change:zones here: this draw is enough
    try {
      model.set("zones", clone(next, defs));
    } finally {
      committing = false;
    }
    model.save_changes();
    draw();
    if (message) say(message);
  }
  const position = (next, zoneId, field) =>
    next[zoneId].length > 1
      ? `, ${next[zoneId].indexOf(field) + 1} of ${next[zoneId].length}`
      : "";

  function addField(field, zoneId, index) {
    const reason = refusal(field, zoneId, null);
    if (reason) return refuse(reason);
    const before = [...zones[zoneId]];
    const next = put(clone(zones, defs), field, zoneId, index);
    const replaced = before.filter((f) => !next[zoneId].includes(f));
    const instead = replaced.length ? ` in place of ${replaced.map(label).join(", ")}` : "";
    state.activeChip[zoneId] = field;
    const where = zoneById[zoneId].label + instead + position(next, zoneId, field);
    commit(next, `${label(field)} added to ${where}.`);
    return true;
  }
  function moveField(field, source, zoneId, index) {
    const reason = refusal(field, zoneId, source);
    if (reason) return refuse(reason);
    const before = [...zones[zoneId]];
    const next = put(without(clone(zones, defs), field, source), field, zoneId, index);
    state.activeChip[zoneId] = field;
    if (source === zoneId) {
      const at = `${next[zoneId].indexOf(field) + 1} of ${next[zoneId].length}`;
      commit(next, `${label(field)} moved to position ${at} in ${zoneById[zoneId].label}.`);
      return true;
    }
    const replaced = before.filter((f) => !next[zoneId].includes(f));
    const instead = replaced.length ? ` in place of ${replaced.map(label).join(", ")}` : "";
    const to = zoneById[zoneId].label + instead + position(next, zoneId, field);
    commit(next, `${label(field)} moved from ${zoneById[source].label} to ${to}.`);
    return true;
  }
  function removeField(field, zoneId) {
    const items = zones[zoneId];
    const at = items.indexOf(field);
    state.activeChip[zoneId] = items[at + 1] || items[at - 1];
    const next = without(clone(zones, defs), field, zoneId);
    commit(next, `${label(field)} removed from ${zoneById[zoneId].label}.`);
  }
  function refuse(reason) {
    say(`Not moved: ${reason}.`, "refused");
    return false;
  }

  // ---- the keyboard: the field list, the zones, the "move to" menu ----
  function openMenu(field, source, opener) {
    closeMenu(false);
    const verb = source ? "Move" : "Put";
    const node = make("div", {
      class: "pbi-fz-menu",
      role: "menu",
      "aria-label": `${verb} ${label(field)} in`,
    });
    const title = `${verb} ${label(field)} in…`;
    node.append(make("div", { class: "pbi-fz-menu-title", "aria-hidden": "true" }, title));
    const items = [];
    for (const zone of defs) {
      if (zone.id === source) continue;
      const reason = refusal(field, zone.id, source);
      const item = make("div", {
        class: "pbi-fz-menu-item",
        role: "menuitem",
        tabindex: -1,
        "data-zone": zone.id,
        "aria-disabled": reason ? "true" : null,
        "aria-describedby": reason ? `${uid}-why-${zone.id}` : null,
      });
      item.append(make("span", {}, zone.label));
      if (reason) {
        // the reason is the item's description, not part of its name (hidden from the name,
        // read as the description it is referenced as)
        const why = { id: `${uid}-why-${zone.id}`, class: "pbi-fz-menu-why", "aria-hidden": "true" };
        item.append(make("span", why, reason));
      }
      item.dataset.reason = reason || "";
      items.push(item);
    }
    if (source) {
      const attrs = { class: "pbi-fz-menu-item", role: "menuitem", tabindex: -1, "data-zone": "" };
      items.push(make("div", attrs, `Remove from ${zoneById[source].label}`));
    }
    node.append(...items);
    el.append(node);
    const box = el.getBoundingClientRect();
    const at = opener.getBoundingClientRect();
    node.style.left = `${Math.max(0, at.left - box.left)}px`;
    node.style.top = `${at.bottom - box.top + 2}px`;
    menu = { node, items, field, source, opener };
    (items.find((i) => !i.getAttribute("aria-disabled")) || items[0]).focus();
  }
  function closeMenu(refocus = true) {
    if (!menu) return;
    const { node, opener } = menu;
    menu = null;
    node.remove();
    if (refocus && opener.isConnected) opener.focus();
  }
  function choose(item) {
    const { field, source } = menu;
    const zoneId = item.dataset.zone;
    if (item.getAttribute("aria-disabled") === "true") {
      refuse(item.dataset.reason);
      return;
    }
    closeMenu(false);
    if (!zoneId) {
      focusKey = null;
      removeField(field, source);
      focusZone(source);
    } else if (source) {
      focusKey = `c:${zoneId}:${field}`;
      moveField(field, source, zoneId, null);
    } else {
      focusKey = `f:${field}`;
      addField(field, zoneId, null);
    }
  }
  function onMenuKey(event) {
    const { items } = menu;
    const at = items.indexOf(document.activeElement);
    const step = (n) => items[(at + n + items.length) % items.length].focus();
    if (event.key === "ArrowDown") step(1);
    else if (event.key === "ArrowUp") step(-1);
    else if (event.key === "Home") items[0].focus();
    else if (event.key === "End") items[items.length - 1].focus();
    else if (event.key === "Enter" || event.key === " ") {
      if (at >= 0) choose(items[at]);
    } else if (event.key === "Escape" || event.key === "Tab") closeMenu(true);
    else return;
    event.preventDefault();
    event.stopPropagation();
  }

  function onListKey(event, option) {
    const options = [...list.querySelectorAll('[role="option"]')];
    const at = options.indexOf(option);
    let next = null;
    if (event.key === "ArrowDown") next = options[Math.min(at + 1, options.length - 1)];
    else if (event.key === "ArrowUp") next = options[Math.max(at - 1, 0)];
    else if (event.key === "Home") next = options[0];
    else if (event.key === "End") next = options[options.length - 1];
    else if (event.key === "Enter" || event.key === " ") {
      openMenu(option.dataset.field, null, option);
    } else return;
    event.preventDefault();
    if (next) {
      state.activeField = next.dataset.field;
      focusKey = next.dataset.key;
      draw();
    }
  }

  function onChipKey(event, chip) {
    const zoneId = chip.dataset.zone;
    const field = chip.dataset.field;
    const items = zones[zoneId];
    const at = items.indexOf(field);
    const up = event.key === "ArrowUp" || event.key === "ArrowLeft";
    const down = event.key === "ArrowDown" || event.key === "ArrowRight";
    if ((up || down) && event.altKey) {
      const to = at + (up ? -1 : 1);
      if (to >= 0 && to < items.length) {
        focusKey = chip.dataset.key;
        moveField(field, zoneId, zoneId, to);
      }
    } else if (up || down || event.key === "Home" || event.key === "End") {
      let to = up ? at - 1 : at + 1;
      if (event.key === "Home") to = 0;
      if (event.key === "End") to = items.length - 1;
      to = Math.max(0, Math.min(to, items.length - 1));
      state.activeChip[zoneId] = items[to];
      focusKey = `c:${zoneId}:${items[to]}`;
      draw();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      removeField(field, zoneId);
      focusZone(zoneId);
    } else if (event.key === "Enter" || event.key === " ") {
      openMenu(field, zoneId, chip);
    } else return;
    event.preventDefault();
  }

  function onKey(event) {
    if (state.drag && event.key === "Escape") {
      endDrag(false);
      event.preventDefault();
      return;
    }
    if (menu && menu.node.contains(event.target)) return onMenuKey(event);
    const option = event.target.closest && event.target.closest('[role="option"]');
    if (!option || !el.contains(option)) {
      if (event.target === search && event.key === "ArrowDown") {
        event.preventDefault();
        focusFieldList();
      }
      return;
    }
    if (option.classList.contains("pbi-fz-chip")) onChipKey(event, option);
    else onListKey(event, option);
  }

  // ---- pointer drags: from the list to a zone, within and between zones, out to remove ----
  function zoneAt(x, y) {
    for (const zone of defs) {
      const r = zoneNodes[zone.id].box.getBoundingClientRect();
      if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return zone.id;
    }
    return null;
  }
  function dropIndex(zoneId, y, drag) {
    const chips = [...zoneNodes[zoneId].chips.querySelectorAll(".pbi-fz-chip")].filter(
      (c) => !(drag.source === zoneId && c.dataset.field === drag.field),
    );
    return chips.filter((c) => {
      const r = c.getBoundingClientRect();
      return r.top + r.height / 2 < y;
    }).length;
  }
  function clearTargets() {
    for (const zone of defs) {
      const { box, reason } = zoneNodes[zone.id];
      box.classList.remove("pbi-fz-accept", "pbi-fz-refuse");
      reason.textContent = "";
    }
    el.querySelectorAll(".pbi-fz-marker").forEach((m) => m.remove());
    root.classList.remove("pbi-fz-removing");
  }

  function onPointerDown(event) {
    if (event.button !== 0 || event.target.closest(".pbi-fz-x") || menu) return;
    const node = event.target.closest("[data-field]");
    if (!node || !root.contains(node) || !node.matches('[role="option"]')) return;
    state.press = {
      field: node.dataset.field,
      source: node.dataset.zone || null,
      node,
      x: event.clientX,
      y: event.clientY,
      id: event.pointerId,
    };
    window.addEventListener("pointermove", onPointerMove, true);
    window.addEventListener("pointerup", onPointerUp, true);
    window.addEventListener("pointercancel", onPointerCancel, true);
  }
  function startDrag(press) {
    const ghost = make("div", { class: "pbi-fz-ghost", "aria-hidden": "true" }, label(press.field));
    document.body.append(ghost);
    press.node.classList.add("pbi-fz-lifted");
    root.classList.add("pbi-fz-dragging");
    for (const zone of defs) {
      const can = !refusal(press.field, zone.id, press.source);
      zoneNodes[zone.id].box.dataset.can = can ? "yes" : "no";
    }
    state.drag = { ...press, ghost, target: null };
  }
  function onPointerMove(event) {
    const press = state.press;
    if (!press || event.pointerId !== press.id) return;
    if (!state.drag) {
      if (Math.hypot(event.clientX - press.x, event.clientY - press.y) < DRAG_START) return;
      startDrag(press);
    }
    event.preventDefault();
    const drag = state.drag;
    // above the pointer: the zone's reason, below its title, stays readable
    drag.ghost.style.transform = `translate(${event.clientX + 14}px, ${event.clientY - 34}px)`;
    clearTargets();
    const zoneId = zoneAt(event.clientX, event.clientY);
    drag.ghost.dataset.removing = "no";
    drag.ghost.textContent = label(drag.field);
    if (!zoneId) {
      drag.target = null;
      if (drag.source) {
        root.classList.add("pbi-fz-removing");
        drag.ghost.dataset.removing = "yes";
        drag.ghost.textContent = `Remove ${label(drag.field)}`;
      }
      return;
    }
    const reason = refusal(drag.field, zoneId, drag.source);
    const nodes = zoneNodes[zoneId];
    if (reason) {
      nodes.box.classList.add("pbi-fz-refuse");
      nodes.reason.textContent = reason;
      drag.target = { zone: zoneId, reason };
      return;
    }
    nodes.box.classList.add("pbi-fz-accept");
    const index = dropIndex(zoneId, event.clientY, drag);
    const others = [...nodes.chips.querySelectorAll(".pbi-fz-chip")].filter(
      (c) => !(drag.source === zoneId && c.dataset.field === drag.field),
    );
    const marker = make("div", { class: "pbi-fz-marker", "aria-hidden": "true" });
    nodes.chips.insertBefore(marker, others[index] || null);
    drag.target = { zone: zoneId, index };
  }
  function onPointerUp(event) {
    if (!state.press || event.pointerId !== state.press.id) return;
    endDrag(Boolean(state.drag));
  }
  function onPointerCancel() {
    endDrag(false);
  }
  function endDrag(drop) {
    const drag = state.drag;
    state.press = null;
    state.drag = null;
    window.removeEventListener("pointermove", onPointerMove, true);
    window.removeEventListener("pointerup", onPointerUp, true);
    window.removeEventListener("pointercancel", onPointerCancel, true);
    if (!drag) return;
    drag.ghost.remove();
    drag.node.classList.remove("pbi-fz-lifted");
    root.classList.remove("pbi-fz-dragging");
    clearTargets();
    if (!drop) return;
    const target = drag.target;
    if (target && target.reason) refuse(target.reason);
    else if (target && drag.source) moveField(drag.field, drag.source, target.zone, target.index);
    else if (target) addField(drag.field, target.zone, target.index);
    else if (drag.source) removeField(drag.field, drag.source);
  }

  function onClick(event) {
    const x = event.target.closest(".pbi-fz-x");
    if (x && root.contains(x)) {
      const chip = x.closest(".pbi-fz-chip");
      removeField(chip.dataset.field, chip.dataset.zone);
      return;
    }
    if (menu) {
      const item = event.target.closest(".pbi-fz-menu-item");
      if (item && menu.node.contains(item)) choose(item);
      else if (!menu.node.contains(event.target)) closeMenu(false);
    }
    const option = event.target.closest('[role="option"]');
    if (option && list.contains(option)) {
      state.activeField = option.dataset.field;
      focusKey = option.dataset.key;
      draw();
    }
  }
  function onFocusIn(event) {
    if (menu && !menu.node.contains(event.target)) closeMenu(false);
  }
  const onSearch = () => {
    state.query = search.value;
    drawList();
  };

  // ---- wiring ----
  const rebuild = () => {
    readModel();
    buildZones();
    draw();
  };
  const onZones = () => {
    if (committing) return;
    zones = clone(model.get("zones"), defs);
    draw();
  };
  const onNotice = () => {
    if (model.get("notice")) say(model.get("notice"), "refused");
  };
  const noDrag = (event) => event.preventDefault(); // no native drag of text or images
  el.addEventListener("keydown", onKey);
  el.addEventListener("pointerdown", onPointerDown);
  el.addEventListener("click", onClick);
  el.addEventListener("focusin", onFocusIn);
  el.addEventListener("dragstart", noDrag);
  search.addEventListener("input", onSearch);
  model.on("change:zones", onZones);
  model.on("change:fields", rebuild);
  model.on("change:rules", rebuild);
  model.on("change:notice", onNotice);
  rebuild();
  return () => {
    endDrag(false);
    closeMenu(false);
    model.off("change:zones", onZones);
    model.off("change:fields", rebuild);
    model.off("change:rules", rebuild);
    model.off("change:notice", onNotice);
  };
}

export default { render };
