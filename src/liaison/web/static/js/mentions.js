// The report reader's mention popover: hovering or focusing a highlighted mention shows its canonical
// entity (name, type, a link to its page). Enter on a focused mention opens that page; Escape hides the
// popover. Everything is written with textContent: names come from reports and are never parsed as HTML.
// Without this script the mention's title attribute says the same.

const HIDE_DELAY_MS = 200;

function entityPath(id) {
  return "/entities/" + encodeURIComponent(id);
}

function buildPopover() {
  const popover = document.createElement("div");
  popover.id = "mention-popover";
  popover.className = "popover";
  popover.setAttribute("role", "tooltip");
  popover.hidden = true;
  const name = document.createElement("strong");
  name.className = "popover-name";
  const type = document.createElement("span");
  type.className = "popover-type";
  const link = document.createElement("a");
  link.className = "popover-link";
  link.textContent = "Open entity page";
  popover.append(name, " ", type, document.createElement("br"), link);
  document.body.append(popover);
  return { popover, name, type, link };
}

function place(popover, target) {
  const box = target.getBoundingClientRect();
  const left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + window.innerWidth - 280));
  popover.style.left = left + "px";
  popover.style.top = box.bottom + window.scrollY + 6 + "px";
}

export function initMentions(root = document) {
  const mentions = Array.from(root.querySelectorAll("mark.mention[data-entity-id]"));
  if (mentions.length === 0) {
    return 0;
  }
  const parts = buildPopover();
  let hideTimer = null;
  let current = null;

  function show(mark) {
    clearTimeout(hideTimer);
    if (current && current !== mark) {
      current.removeAttribute("aria-describedby");
    }
    current = mark;
    parts.name.textContent = mark.dataset.entityName || mark.textContent;
    parts.type.textContent = (mark.dataset.entityType || "").replace(/_/g, " ");
    parts.link.href = entityPath(mark.dataset.entityId);
    mark.setAttribute("aria-describedby", parts.popover.id);
    parts.popover.hidden = false;
    place(parts.popover, mark);
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY_MS);
  }

  function hide() {
    parts.popover.hidden = true;
    if (current) {
      current.removeAttribute("aria-describedby");
      current = null;
    }
  }

  for (const mark of mentions) {
    // The popover replaces the browser's own tooltip; keep the words for assistive technology.
    if (mark.title) {
      mark.dataset.title = mark.title;
      mark.removeAttribute("title");
    }
    mark.addEventListener("mouseenter", () => show(mark));
    mark.addEventListener("mouseleave", hideSoon);
    mark.addEventListener("focus", () => show(mark));
    mark.addEventListener("blur", hideSoon);
    mark.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        window.location.assign(entityPath(mark.dataset.entityId));
      } else if (event.key === "Escape") {
        hide();
      }
    });
  }
  parts.popover.addEventListener("mouseenter", () => clearTimeout(hideTimer));
  parts.popover.addEventListener("mouseleave", hideSoon);
  parts.link.addEventListener("focus", () => clearTimeout(hideTimer));
  parts.link.addEventListener("blur", hideSoon);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      hide();
    }
  });
  const text = root.querySelector("[data-mentions]");
  if (text) {
    text.dataset.mentionsReady = String(mentions.length);
  }
  return mentions.length;
}

initMentions();
