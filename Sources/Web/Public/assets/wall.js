// The projector wall: every meme from everyone, newest first, with live counters.
import { recentMemes } from "./api.js";
import { LiveFeed, showConnection } from "./live.js";

const MAX_CARDS = 60;
const grid = document.getElementById("wall-grid");
const empty = document.getElementById("wall-empty");
const template = document.getElementById("wall-card-template");
const connection = document.getElementById("connection");
const counters = {
  done: document.getElementById("count-done"),
  queued: document.getElementById("count-queued"),
  viewers: document.getElementById("count-viewers"),
};
const errorsCount = document.getElementById("count-errors");
const shown = new Map();

// The address people should type: the page's own origin unless ?join=… names a public one.
const joinParam = new URLSearchParams(location.search).get("join");
let joinUrl = `${location.host}`;
if (joinParam) {
  try {
    const parsed = new URL(joinParam);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") joinUrl = parsed.host + parsed.pathname.replace(/\/$/, "");
  } catch {
    // Not a URL: keep the page's own address.
  }
}
document.getElementById("join-url").textContent = joinUrl;

function safeImageUrl(url) {
  return typeof url === "string" && url.startsWith("/api/memes/") ? url : null;
}

function addMeme(meme, { animate }) {
  const url = safeImageUrl(meme.image_url);
  if (meme.status !== "done" || !url || shown.has(meme.id)) return;
  const card = template.content.firstElementChild.cloneNode(true);
  const img = card.querySelector(".meme-image");
  img.src = url;
  img.alt = `Meme: ${meme.prompt}`;
  card.querySelector(".meme-prompt").textContent = meme.prompt;
  card.dataset.id = meme.id;
  if (animate) card.classList.add("fresh");
  shown.set(meme.id, card);
  grid.prepend(card);
  while (grid.children.length > MAX_CARDS) {
    const last = grid.lastElementChild;
    shown.delete(last.dataset.id);
    last.remove();
  }
  empty.hidden = true;
}

function setCount(element, value) {
  if (typeof value !== "number") return;
  const text = value.toLocaleString();
  if (element.textContent !== text) {
    element.textContent = text;
    element.classList.remove("bump");
    void element.offsetWidth; // restart the animation
    element.classList.add("bump");
  }
}

function applyStats(stats) {
  setCount(counters.done, stats.done);
  setCount(counters.queued, stats.queued);
  setCount(counters.viewers, stats.viewers);
  errorsCount.textContent = stats.errors ? `${stats.errors.toLocaleString()} failed` : "";
}

async function catchUp() {
  try {
    const list = await recentMemes(MAX_CARDS);
    // Oldest first so the newest ends up on top.
    for (const meme of [...list.memes].reverse()) addMeme(meme, { animate: false });
    applyStats(list);
  } catch {
    // The live feed's status line already says the server is unreachable.
  }
}

const feed = new LiveFeed({
  onMessage(msg) {
    if (msg.type === "meme") addMeme(msg, { animate: true });
    else if (msg.type === "stats") applyStats(msg);
  },
  onState: (state, detail) => showConnection(connection, state, detail),
  onReconnect: catchUp,
});

catchUp();
feed.start();
