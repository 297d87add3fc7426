// Small wrappers over meme-web's JSON API. Every failure becomes an ApiError whose `message` is
// written for people (it is shown as-is, always via textContent).

export class ApiError extends Error {
  constructor(message, { status = 0, retryAfter = null, kind = "error" } = {}) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
    this.kind = kind; // "network" | "rate-limit" | "unavailable" | "invalid" | "error"
  }
}

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: { Accept: "application/json", ...(options.headers || {}) } });
  } catch {
    throw new ApiError("Can't reach the server. Check your connection; we'll keep trying.", { kind: "network" });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok) return body;
  const reason = body && typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get("Retry-After")) || 1;
    throw new ApiError(`Slow down a little — you can send another meme in ${retryAfter} s.`, {
      status: 429, retryAfter, kind: "rate-limit",
    });
  }
  if (response.status === 503) {
    throw new ApiError(`The meme queue is unavailable right now (${reason}). Please try again in a moment.`, {
      status: 503, retryAfter: Number(response.headers.get("Retry-After")) || 2, kind: "unavailable",
    });
  }
  if (response.status >= 400 && response.status < 500) {
    throw new ApiError(capitalize(reason) + ".", { status: response.status, kind: "invalid" });
  }
  throw new ApiError(`The server had a problem (${reason}).`, { status: response.status });
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// A random id per browser, sent with every submit: phones behind one address (the venue's Wi-Fi,
// a load balancer) each get their own rate limit instead of sharing one.
const CLIENT_KEY = "meme-client-id";
function clientId() {
  let id = null;
  try {
    id = localStorage.getItem(CLIENT_KEY);
  } catch {
    // Storage blocked (private mode): a fresh id per page load still separates phones.
  }
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    id = crypto.randomUUID ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    try {
      localStorage.setItem(CLIENT_KEY, id);
    } catch {
      // See above.
    }
  }
  return id;
}
const browserId = clientId();

/** POST /api/memes → {id, status: "queued"} */
export function submitMeme({ prompt, fastMode, smallImage, topText, bottomText }) {
  const payload = { prompt, fast_mode: fastMode, small_image: smallImage };
  if (topText) payload.top_text = topText;
  if (bottomText) payload.bottom_text = bottomText;
  return request("/api/memes", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Meme-Client": browserId },
    body: JSON.stringify(payload),
  });
}

/** GET /api/memes/{id} → {id, status, prompt, image_url?, error?}; null when unknown. */
export async function getMeme(id) {
  try {
    return await request(`/api/memes/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

/** GET /api/wall → {url, display, source}: the address the room should open. */
export function wallAddress() {
  return request("/api/wall");
}

/** GET /api/memes?limit=N → {memes: [...], queued, done, errors, viewers} */
export function recentMemes(limit = 24) {
  return request(`/api/memes?limit=${encodeURIComponent(limit)}`);
}
