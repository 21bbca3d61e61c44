// Keyboard use of the workbench. Everything also works without it: every action is a form.
"use strict";
(() => {
  const slots = () => [...document.querySelectorAll("section.slot, table.copies tr.row")];
  let current = -1;
  const typing = (el) => el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT");

  function go(step) {
    const all = slots();
    if (!all.length) return;
    all.forEach((el) => el.classList.remove("current"));
    current = Math.max(0, Math.min(all.length - 1, current + step));
    const el = all[current];
    el.classList.add("current");
    const link = el.querySelector("a.copy-link");
    (link || el).focus();
    el.scrollIntoView({ block: "nearest" });
  }

  function here() {
    const all = slots();
    const focused = document.activeElement && document.activeElement.closest("section.slot");
    return focused || all[current] || null;
  }

  function press(selector) {
    const slot = here();
    const button = slot && slot.querySelector(selector);
    if (button) button.click();
  }

  function setRaw(on) {
    document.body.classList.toggle("raw", on);
    const toggle = document.getElementById("toggle-raw");
    if (toggle) {
      toggle.setAttribute("aria-pressed", String(on));
    }
    try { localStorage.setItem("translator-raw", on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  function openHelp() {
    const help = document.getElementById("help");
    if (help && !help.open) help.showModal();
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (typing(target)) {
      if (target.tagName === "TEXTAREA" && (event.ctrlKey || event.metaKey) && (event.key === "Enter" || event.key === "s")) {
        event.preventDefault();
        target.form.querySelector("button.save").click();
      } else if (event.key === "Escape") {
        target.blur();
        const slot = target.closest("section.slot");
        if (slot) slot.focus();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const actions = {
      j: () => go(1),
      k: () => go(-1),
      e: () => focusText(),
      Enter: () => focusText(),
      a: () => press("button.accept"),
      K: () => press("button.keep"),
      r: () => press("button.review"),
      A: () => { const b = document.getElementById("approve"); if (b) b.click(); },
      m: () => setRaw(!document.body.classList.contains("raw")),
      u: () => { const b = document.getElementById("undo"); if (b) b.click(); },
      n: () => { const l = document.getElementById("next-copy"); if (l) l.click(); },
      p: () => { const l = document.getElementById("previous-copy"); if (l) l.click(); },
      "/": () => { const s = document.getElementById("search"); if (s) s.focus(); },
      "?": openHelp,
    };
    const action = actions[event.key];
    if (action && !(event.key === "Enter" && target.tagName === "A")) {
      event.preventDefault();
      action();
    }
  });

  function focusText() {
    const slot = here();
    const text = slot && slot.querySelector("textarea");
    if (text) { text.focus(); return true; }
    const link = slot && slot.querySelector("a.copy-link");
    if (link) link.click();
    return false;
  }

  // Unsaved text in one slot is not lost silently when another form is sent.
  document.addEventListener("input", (event) => {
    if (event.target.tagName === "TEXTAREA") event.target.classList.toggle("dirty", event.target.value !== event.target.defaultValue);
  });
  document.addEventListener("submit", (event) => {
    const others = [...document.querySelectorAll("textarea.dirty")].filter((t) => t.form !== event.target);
    if (others.length && !window.confirm(`Unsaved text in ${others.length} slot(s) will be lost. Go on?`)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const toggle = document.getElementById("toggle-raw");
    if (toggle) toggle.addEventListener("click", () => setRaw(!document.body.classList.contains("raw")));
    const help = document.getElementById("help-button");
    if (help) help.addEventListener("click", openHelp);
    try { if (localStorage.getItem("translator-raw") === "1") setRaw(true); } catch (e) { /* private mode */ }
    // After an action the page opens at the slot acted on: continue from there.
    const hash = location.hash.match(/^#slot-(\d+)$/);
    if (hash) {
      const all = slots();
      current = all.findIndex((el) => el.id === `slot-${hash[1]}`);
      if (current >= 0) { all[current].classList.add("current"); all[current].focus(); }
    }
    const error = document.getElementById("error");
    if (error) error.scrollIntoView({ block: "center" });
  });
})();
