// The /api/live WebSocket with automatic reconnect (exponential backoff with jitter).
// Callers get onMessage(event) for each JSON message and onState(state, detail) with
// state ∈ "connecting" | "live" | "reconnecting".
//
// The feed counts as live once its first message (the stats) arrives, not when the socket opens:
// at its viewer limit meme-web accepts the socket and closes it at once with 1013 "try again
// later", and then the page waits the longest backoff instead of reconnecting every second.

const TRY_AGAIN_LATER = 1013;

export class LiveFeed {
  constructor({ onMessage, onState, onReconnect }) {
    this.onMessage = onMessage;
    this.onState = onState || (() => {});
    this.onReconnect = onReconnect || (() => {});
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.connectedOnce = false;
  }

  start() {
    this.connect();
    // Phones suspend background tabs; reconnect at once when the page is visible again.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.isOpen()) this.reconnectNow();
    });
    window.addEventListener("online", () => this.reconnectNow());
  }

  isOpen() {
    return this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  connect() {
    clearTimeout(this.timer);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.onState(this.connectedOnce ? "reconnecting" : "connecting", "");
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}/api/live`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let live = false;
    socket.addEventListener("message", (event) => {
      if (!live) {
        live = true;
        const wasReconnect = this.connectedOnce;
        this.attempt = 0;
        this.connectedOnce = true;
        this.onState("live", "");
        // Anything may have happened while we were away: let the page catch up.
        if (wasReconnect) this.onReconnect();
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message.type === "string") this.onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      if (event.code === TRY_AGAIN_LATER) {
        this.attempt = Math.max(this.attempt, 5);
        this.scheduleReconnect("Live updates are full right now");
      } else {
        this.scheduleReconnect();
      }
    });
    socket.addEventListener("error", () => socket.close());
  }

  scheduleReconnect(reason = "Connection lost") {
    clearTimeout(this.timer);
    this.attempt += 1;
    const base = Math.min(15000, 500 * 2 ** Math.min(this.attempt, 5));
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    this.onState("reconnecting", `${reason} — reconnecting in ${Math.ceil(delay / 1000)} s…`);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.socket) {
      const old = this.socket;
      this.socket = null;
      old.close();
    }
    this.connect();
  }
}

/** Shows a LiveFeed state in a status element (text only). */
export function showConnection(element, state, detail) {
  element.dataset.state = state;
  if (state === "live") element.textContent = "● Live";
  else if (state === "connecting") element.textContent = "Connecting…";
  else element.textContent = detail || "Reconnecting…";
}
