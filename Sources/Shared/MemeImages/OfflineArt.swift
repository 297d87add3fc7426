/// The pure choices behind a generated background: colours, pattern, angle and emoji, all derived
/// from a stable hash of the prompt (FNV-1a, not Swift's per-process seeded `Hasher`), so the same
/// prompt gives the same picture in every process and on every worker.
public struct OfflineArt: Sendable, Equatable {
    public enum Pattern: Int, Sendable, CaseIterable { case stripes, dots, rings, sunburst }

    public struct Colour: Sendable, Equatable {
        public var red: Double, green: Double, blue: Double
        init(hex: UInt32) {
            red = Double((hex >> 16) & 0xFF) / 255
            green = Double((hex >> 8) & 0xFF) / 255
            blue = Double(hex & 0xFF) / 255
        }
    }

    public var from: Colour
    public var to: Colour
    public var pattern: Pattern
    /// Gradient direction in degrees.
    public var angle: Double
    public var emoji: String

    public init(seed: String) {
        let hash = Self.fnv1a(seed.lowercased())
        let palette = Self.palettes[Int(hash % UInt64(Self.palettes.count))]
        from = Colour(hex: palette.0)
        to = Colour(hex: palette.1)
        pattern = Pattern(rawValue: Int((hash >> 8) % UInt64(Pattern.allCases.count)))!
        angle = Double((hash >> 16) % 360)
        emoji = EmojiTable.emoji(for: seed, hash: hash >> 32)
    }

    /// 64-bit FNV-1a over the UTF-8 bytes.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Saturated two-colour gradients that stay readable under white outlined captions.
    static let palettes: [(UInt32, UInt32)] = [
        (0xFF512F, 0xDD2476), // sunset
        (0x2193B0, 0x6DD5ED), // ocean
        (0x8E2DE2, 0x4A00E0), // violet
        (0x11998E, 0x38EF7D), // mint
        (0xF12711, 0xF5AF19), // fire
        (0x141E30, 0x3A6073), // midnight
        (0xFC466B, 0x3F5EFB), // candy
        (0x56AB2F, 0xA8E063), // lime
        (0xFF00CC, 0x333399), // cosmic
        (0x0F2027, 0x2C5364), // deep teal
        (0xFF8008, 0xFFC837), // mango
        (0x00C6FF, 0x0072FF), // sky
        (0xE52D27, 0xB31217), // cherry
        (0x654EA3, 0xEAAFC8), // lavender
    ]
}

/// A small word → emoji table for the offline backgrounds, with a deterministic fallback.
public enum EmojiTable {
    static let words: [String: String] = [
        "cat": "🐱", "kitten": "🐱", "kitty": "🐱", "dog": "🐶", "puppy": "🐶", "doge": "🐶",
        "pizza": "🍕", "coffee": "☕", "espresso": "☕", "tea": "🍵", "beer": "🍺", "taco": "🌮",
        "burger": "🍔", "cake": "🎂", "cookie": "🍪", "banana": "🍌", "donut": "🍩",
        "code": "🐛", "bug": "🐛", "debug": "🐛", "cloud": "☁️", "aws": "☁️", "serverless": "☁️",
        "kubernetes": "☸️", "k8s": "☸️", "pod": "☸️", "kubectl": "☸️", "helm": "☸️",
        "rocket": "🚀", "scale": "🚀", "scaling": "🚀", "autoscale": "🚀", "autoscaling": "🚀",
        "launch": "🚀", "hpa": "📈", "keda": "📈", "vpa": "📏", "fire": "🔥", "prod": "🔥",
        "production": "🔥", "incident": "🚨", "outage": "🚨", "alert": "🚨", "pager": "📟",
        "oncall": "📟", "deploy": "📦", "release": "📦", "docker": "🐳", "container": "🐳",
        "whale": "🐳", "ship": "🚢", "database": "🗄️", "db": "🗄️", "redis": "🧱", "cache": "🧱",
        "queue": "🚦", "nats": "📨", "message": "📨", "money": "💸", "cost": "💸", "bill": "💸",
        "budget": "💸", "sleep": "😴", "tired": "😴", "monday": "😩", "friday": "🎉",
        "party": "🎉", "yaml": "📜", "config": "⚙️", "ai": "🤖", "robot": "🤖", "llm": "🤖",
        "gpu": "🤖", "brain": "🧠", "idea": "💡", "swift": "🐦", "bird": "🐦", "rust": "🦀",
        "crab": "🦀", "python": "🐍", "snake": "🐍", "go": "🐹", "gopher": "🐹", "java": "☕",
        "linux": "🐧", "penguin": "🐧", "git": "🌳", "merge": "🔀", "test": "🧪", "tests": "🧪",
        "error": "💥", "panic": "😱", "crash": "💥", "cpu": "🔥", "memory": "🧠", "ram": "🧠",
        "latency": "🐢", "slow": "🐢", "fast": "⚡", "speed": "⚡", "wait": "⏳", "timeout": "⏳",
        "love": "❤️", "heart": "❤️", "sad": "😢", "cry": "😭", "lol": "😂", "laugh": "😂",
        "cool": "😎", "win": "🏆", "winner": "🏆", "fail": "🤦", "boss": "👔", "meeting": "📅",
        "email": "📧", "zoom": "📹", "unicorn": "🦄", "rainbow": "🌈", "sun": "☀️",
        "moon": "🌙", "night": "🌙", "star": "⭐", "ghost": "👻", "zombie": "🧟",
        "security": "🔒", "password": "🔑", "secret": "🔑", "network": "🌐", "internet": "🌐",
        "dns": "🌐", "log": "🪵", "logs": "🪵", "metrics": "📊", "grafana": "📊",
        "prometheus": "📊", "dashboard": "📊", "zero": "0️⃣", "conference": "🎤", "demo": "🎤",
        "talk": "🎤", "stage": "🎤",
    ]

    /// Fun, neutral picks when no word matches.
    static let fallbacks = ["😂", "🤔", "😎", "🎉", "🙃", "🦄", "🤖", "👀", "💡", "🍿", "🚀", "🔥", "🤯", "🥳", "🐙", "🌮"]

    /// The emoji for the first word of `text` found in the table (also tried without a trailing
    /// "s"), else a fallback chosen by `hash`.
    public static func emoji(for text: String, hash: UInt64) -> String {
        let lowered = text.lowercased()
        var word = ""
        var candidates: [String] = []
        for character in lowered {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if !word.isEmpty {
                candidates.append(word)
                word = ""
            }
        }
        if !word.isEmpty { candidates.append(word) }
        for candidate in candidates {
            if let hit = words[candidate] { return hit }
            if candidate.count > 3, candidate.hasSuffix("s"), let hit = words[String(candidate.dropLast())] {
                return hit
            }
        }
        return fallbacks[Int(hash % UInt64(fallbacks.count))]
    }
}
