/// The one parser of server lists: `NATS_URL` (and `--nats-url`) may name several servers,
/// comma-separated, as the nats CLI and nats.go take them: split on every comma, each URL
/// trimmed, blanks dropped. (A password holding a comma must be percent-encoded.)
public enum ServerList {
    public static func split(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
