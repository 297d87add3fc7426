// Display width of a grapheme in terminal columns, like wcwidth(3) but per Character, so that
// emoji sequences (ZWJ, flags, VS16) count once. Ambiguous-width characters count as 1, as most
// terminals in a UTF-8 locale do.

/// Columns a grapheme occupies on a terminal: 0 (control/format/combining only), 1 or 2.
public func displayWidth(_ character: Character) -> Int {
    let scalars = character.unicodeScalars
    guard let first = scalars.first else { return 0 }
    // Emoji presentation: VS16 anywhere, regional-indicator flags, or a default-emoji first scalar.
    if scalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji { return 2 }
    if first.properties.isEmojiPresentation { return 2 }
    if isWide(first.value) { return 2 }
    switch first.properties.generalCategory {
    case .control, .format, .nonspacingMark, .enclosingMark, .lineSeparator, .paragraphSeparator:
        return 0
    default:
        return 1
    }
}

/// Columns a string occupies (sum over its graphemes).
public func displayWidth(_ text: String) -> Int {
    text.reduce(0) { $0 + displayWidth($1) }
}

/// East Asian Wide and Fullwidth ranges (Unicode 15, EastAsianWidth.txt, W and F), condensed.
private func isWide(_ v: UInt32) -> Bool {
    switch v {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
        0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
        0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F200...0x1F2FF,
        0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
        return true
    default:
        return false
    }
}

/// Makes untrusted text safe for one terminal line: control characters (ESC, tab, newline…)
/// become spaces so no input can move the cursor or send escape sequences.
func sanitize(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text {
        if ch.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            out.append(" ")
        } else {
            out.append(ch)
        }
    }
    return out
}

/// Cuts `text` to at most `width` columns, ending with "…" when something was cut.
public func truncate(_ text: String, toWidth width: Int) -> String {
    guard width > 0 else { return "" }
    if displayWidth(text) <= width { return text }
    var out = ""
    var used = 0
    for ch in text {
        let w = displayWidth(ch)
        if used + w > width - 1 { break }
        out.append(ch)
        used += w
    }
    return out + "…"
}
