// The audience page: submit a prompt, follow it until the image arrives, keep "your memes".
import { submitMeme, getMeme, ApiError } from "./api.js";
import { LiveFeed, showConnection } from "./live.js";

const STORAGE_KEY = "meme-generator.mine";
const MAX_KEPT = 40;

const form = document.getElementById("meme-form");
const promptInput = document.getElementById("prompt");
const promptCount = document.getElementById("prompt-count");
const topInput = document.getElementById("top-text");
const bottomInput = document.getElementById("bottom-text");
const fastMode = document.getElementById("fast-mode");
const smallImage = document.getElementById("small-image");
const button = document.getElementById("generate");
const buttonLabel = button.querySelector(".button-label");
const message = document.getElementById("message");
const gallery = document.getElementById("gallery");
const galleryEmpty = document.getElementById("gallery-empty");
const clearButton = document.getElementById("clear-gallery");
const connection = document.getElementById("connection");
const template = document.getElementById("meme-card-template");

/** @type {{id: string, prompt: string, status: string, imageUrl?: string, error?: string, createdAt: number}[]} */
let memes = load();
const cards = new Map();
let sending = false;
let cooldownUntil = 0;
let live = false;

function load() {
  try {
    const list = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
    return Array.isArray(list) ? list.filter((m) => m && typeof m.id === "string").slice(0, MAX_KEPT) : [];
  } catch {
    return [];
  }
}

function save() {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(memes.slice(0, MAX_KEPT)));
  } catch {
    // Private mode or full storage: the gallery just won't survive a reload.
  }
}

// Only our own API's image paths are ever used as image sources.
function safeImageUrl(url) {
  return typeof url === "string" && url.startsWith("/api/memes/") ? url : null;
}

function showMessage(text, kind = "error") {
  message.textContent = text;
  message.dataset.kind = kind;
  message.hidden = !text;
}

function updateButton() {
  const waiting = Date.now() < cooldownUntil;
  button.disabled = sending || waiting;
  button.classList.toggle("busy", sending);
  if (sending) buttonLabel.textContent = "Sending…";
  else if (waiting) buttonLabel.textContent = `Wait ${Math.ceil((cooldownUntil - Date.now()) / 1000)} s`;
  else buttonLabel.textContent = "Generate meme";
}

function renderCard(meme) {
  let card = cards.get(meme.id);
  if (!card) {
    card = template.content.firstElementChild.cloneNode(true);
    cards.set(meme.id, card);
    gallery.prepend(card);
  }
  card.dataset.status = meme.status;
  card.dataset.id = meme.id;
  const img = card.querySelector(".meme-image");
  const pending = card.querySelector(".pending");
  const pendingText = card.querySelector(".pending-text");
  const download = card.querySelector(".download");
  card.querySelector(".meme-prompt").textContent = meme.prompt;
  const url = safeImageUrl(meme.imageUrl);
  if (meme.status === "done" && url) {
    if (img.getAttribute("src") !== url) img.src = url;
    img.alt = `Meme: ${meme.prompt}`;
    img.hidden = false;
    pending.hidden = true;
    download.href = url;
    download.setAttribute("download", `meme-${meme.prompt.slice(0, 24).replace(/[^a-z0-9]+/gi, "-")}-${meme.id.slice(0, 8)}`);
    download.textContent = "Download";
    download.setAttribute("aria-label", `Download meme: ${meme.prompt}`);
    download.hidden = false;
  } else if (meme.status === "error") {
    img.hidden = true;
    pending.hidden = false;
    card.querySelector(".spinner").hidden = true;
    pendingText.textContent = `Couldn't make this one: ${meme.error || "unknown error"}`;
    card.querySelector(".elapsed").textContent = "";
    download.hidden = true;
  } else {
    img.hidden = true;
    pending.hidden = false;
    pendingText.textContent = meme.status === "lost" ? "This meme has expired." : "Creating your meme…";
    card.querySelector(".spinner").hidden = meme.status === "lost";
    download.hidden = true;
  }
  galleryEmpty.hidden = memes.length > 0;
  clearButton.hidden = memes.length === 0;
}

function tickElapsed() {
  const now = Date.now();
  for (const meme of memes) {
    if (meme.status !== "queued") continue;
    const card = cards.get(meme.id);
    if (card) card.querySelector(".elapsed").textContent = `${Math.round((now - meme.createdAt) / 1000)} s`;
  }
  if (cooldownUntil && now >= cooldownUntil) {
    cooldownUntil = 0;
    if (message.dataset.kind === "rate-limit") showMessage("");
  }
  updateButton();
}

function applyResult(result) {
  const meme = memes.find((m) => m.id === result.id);
  if (!meme) return;
  meme.status = result.status;
  if (result.image_url) meme.imageUrl = result.image_url;
  if (result.error) meme.error = result.error;
  save();
  renderCard(meme);
}

// Results come over the WebSocket; polling is the safety net for missed pushes and lost connections.
async function poll() {
  const pending = memes.filter((m) => m.status === "queued");
  for (const meme of pending) {
    try {
      const result = await getMeme(meme.id);
      if (result) applyResult(result);
      else if (Date.now() - meme.createdAt > 15 * 60 * 1000) applyResult({ id: meme.id, status: "lost" });
    } catch (error) {
      if (error instanceof ApiError && error.kind === "network") break;
    }
  }
}

function schedulePoll() {
  const delay = live ? 6000 : 2500;
  setTimeout(async () => {
    await poll();
    schedulePoll();
  }, delay);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (sending || Date.now() < cooldownUntil) return;
  const prompt = promptInput.value.trim();
  if (!prompt) {
    showMessage("Type an idea for your meme first.", "invalid");
    promptInput.setAttribute("aria-invalid", "true");
    promptInput.focus();
    return;
  }
  promptInput.removeAttribute("aria-invalid");
  showMessage("");
  sending = true;
  updateButton();
  try {
    const reply = await submitMeme({
      prompt,
      fastMode: fastMode.checked,
      smallImage: smallImage.checked,
      topText: topInput.value.trim(),
      bottomText: bottomInput.value.trim(),
    });
    const meme = { id: reply.id, prompt, status: "queued", createdAt: Date.now() };
    memes.unshift(meme);
    for (const old of memes.splice(MAX_KEPT)) {
      cards.get(old.id)?.remove();
      cards.delete(old.id);
    }
    save();
    renderCard(meme);
    showMessage("Sent! Your meme is being made — it will appear below.", "ok");
    promptInput.value = "";
    promptCount.textContent = "0";
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError(String(error));
    if (apiError.kind === "rate-limit") cooldownUntil = Date.now() + apiError.retryAfter * 1000;
    showMessage(apiError.message, apiError.kind);
    if (apiError.kind === "invalid") promptInput.focus();
  } finally {
    sending = false;
    updateButton();
  }
});

promptInput.addEventListener("input", () => {
  promptCount.textContent = String(promptInput.value.length);
  promptInput.removeAttribute("aria-invalid");
});

promptInput.addEventListener("keydown", (event) => {
  // Enter sends (as a single-line field would); Shift+Enter adds a line.
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

clearButton.addEventListener("click", () => {
  memes = [];
  save();
  for (const card of cards.values()) card.remove();
  cards.clear();
  galleryEmpty.hidden = false;
  clearButton.hidden = true;
  promptInput.focus();
});

const feed = new LiveFeed({
  onMessage(msg) {
    if (msg.type === "meme" || msg.type === "error") applyResult(msg);
  },
  onState(state, detail) {
    live = state === "live";
    showConnection(connection, state, detail);
  },
  onReconnect: poll,
});

for (const meme of [...memes].reverse()) renderCard(meme);
galleryEmpty.hidden = memes.length > 0;
clearButton.hidden = memes.length === 0;
feed.start();
poll();
schedulePoll();
setInterval(tickElapsed, 1000);
