// The projector wall: every meme from everyone, newest first, with live counters.
import { recentMemes, wallAddress } from "./api.js";
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

// The address phones can open comes from meme-web (PUBLIC_URL, else its LAN address), not from this
// page's own address: the projector's browser often has 127.0.0.1, which no phone can reach.
const joinUrl = document.getElementById("join-url");
const joinQr = document.getElementById("join-qr");
async function showJoinAddress() {
  try {
    const wall = await wallAddress();
    joinUrl.textContent = wall.display;
    joinUrl.dataset.source = wall.source;
    joinQr.alt = `QR code for ${wall.url}`;
    joinQr.src = "/api/wall/qr.svg";
    joinQr.hidden = false;
  } catch {
    joinUrl.textContent = location.host;
    setTimeout(showJoinAddress, 3000);
  }
}
showJoinAddress();

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
