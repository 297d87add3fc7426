/// A Kubernetes resource quantity ("100m", "1.5", "2Gi", "262144k", "1e3"), kept exact.
///
/// Grammar from the Kubernetes API reference (Quantity, k8s.io/apimachinery/pkg/api/resource):
/// `<signedNumber><suffix>`, suffix one of binary `Ki Mi Gi Ti Pi Ei`, decimal `m "" k M G T P E`,
/// or an exponent `e<n>`/`E<n>`. Values more precise than the asked scale are rounded up
/// ("0.1m will rounded up to 1m"), as Kubernetes does.
public struct Quantity: Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    public let text: String
    // value = mantissa × 10^power10 × 2^power2, exactly.
    let mantissa: Int
    let power10: Int
    let power2: Int

    public init(_ text: String) throws(QuantityError) {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else { throw QuantityError(text, "empty quantity") }
        var chars = Substring(trimmed)
        var negative = false
        if chars.first == "+" || chars.first == "-" {
            negative = chars.first == "-"
            chars = chars.dropFirst()
        }
        let numberEnd = chars.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? chars.endIndex
        let number = chars[..<numberEnd]
        let suffix = chars[numberEnd...]
        let pieces = number.split(separator: ".", omittingEmptySubsequences: false)
        guard !number.isEmpty, pieces.count <= 2, pieces.contains(where: { !$0.isEmpty }) else {
            throw QuantityError(text, "expected a number such as 100m, 1.5 or 2Gi")
        }
        let integerDigits = pieces[0]
        let fractionDigits = pieces.count == 2 ? pieces[1] : ""
        var digits = String(integerDigits) + String(fractionDigits)
        var p10 = -fractionDigits.count
        // Drop trailing zeros so long exact numbers ("673899999", "1.500000") still fit.
        while digits.count > 1, digits.hasSuffix("0") { digits.removeLast(); p10 += 1 }
        digits = String(digits.drop { $0 == "0" })
        if digits.isEmpty { digits = "0" }
        guard digits.count <= 18, var m = Int(digits) else { throw QuantityError(text, "too many significant digits") }
        if negative { m = -m }
        var p2 = 0
        switch suffix {
        case "": break
        case "m": p10 -= 3
        case "k": p10 += 3
        case "M": p10 += 6
        case "G": p10 += 9
        case "T": p10 += 12
        case "P": p10 += 15
        case "E": p10 += 18
        case "Ki": p2 = 10
        case "Mi": p2 = 20
        case "Gi": p2 = 30
        case "Ti": p2 = 40
        case "Pi": p2 = 50
        case "Ei": p2 = 60
        default:
            guard let first = suffix.first, first == "e" || first == "E", let exponent = Int(suffix.dropFirst()),
                  !suffix.dropFirst().isEmpty, abs(exponent) <= 40 else {
                throw QuantityError(text, "unknown suffix \"\(suffix)\" (expected m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or e<n>)")
            }
            p10 += exponent
        }
        self.text = text
        mantissa = m
        power10 = p10
        power2 = p2
    }

    /// The value in units of 10^-`scale` (scale 3 = milli), rounded up as Kubernetes rounds.
    public func scaled(toDecimalPlaces scale: Int) throws(QuantityError) -> Int {
        var value = mantissa
        func multiply(_ factor: Int) throws(QuantityError) {
            let (r, overflow) = value.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw QuantityError(text, "too large") }
            value = r
        }
        for _ in 0..<power2 { try multiply(2) }
        var exponent = power10 + scale
        while exponent > 0 { try multiply(10); exponent -= 1 }
        if exponent < 0 {
            var divisor = 1
            while exponent < 0 {
                let (r, overflow) = divisor.multipliedReportingOverflow(by: 10)
                if overflow { return value > 0 ? 1 : 0 }
                divisor = r
                exponent += 1
            }
            let (q, r) = value.quotientAndRemainder(dividingBy: divisor)
            value = r > 0 ? q + 1 : q
        }
        return value
    }

    /// CPU in millicores ("100m" → 100, "1" → 1000, "1.5" → 1500).
    public var millis: Int { get throws(QuantityError) { try scaled(toDecimalPlaces: 3) } }
    /// Whole units, e.g. memory bytes ("64Mi" → 67108864, "262144k" → 262144000).
    public var units: Int { get throws(QuantityError) { try scaled(toDecimalPlaces: 0) } }

    public var description: String { text }

    public static func == (a: Quantity, b: Quantity) -> Bool {
        (try? a.scaled(toDecimalPlaces: 9)) == (try? b.scaled(toDecimalPlaces: 9)) && a.text == b.text
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

public struct QuantityError: Error, Sendable, CustomStringConvertible, Equatable {
    public var input: String
    public var reason: String
    init(_ input: String, _ reason: String) {
        self.input = input
        self.reason = reason
    }
    public var description: String { "invalid quantity \"\(input)\": \(reason)" }
}

/// Short human forms for screens: CPU as "250m" / "1.5", memory as "512Mi" / "1.2Gi" / "673.9M".
public enum QuantityFormat {
    public static func millicores(_ millis: Int) -> String {
        if millis % 1000 == 0 { return "\(millis / 1000)" }
        if millis < 1000 { return "\(millis)m" }
        return decimal(millis, places: 3)
    }

    public static func bytes(_ bytes: Int) -> String {
        let units: [(String, Int)] = [("Ei", 1 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        for (suffix, size) in units where abs(bytes) >= size {
            if bytes % size == 0 { return "\(bytes / size)\(suffix)" }
            let tenths = (bytes * 10 + size / 2) / size
            return "\(tenths / 10).\(tenths % 10)\(suffix)"
        }
        return "\(bytes)"
    }

    /// A fixed-point number with `places` decimals, trailing zeros removed ("2135500" milli → "2135.5").
    public static func decimal(_ value: Int, places: Int) -> String {
        var divisor = 1
        for _ in 0..<places { divisor *= 10 }
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        let whole = magnitude / divisor
        var fraction = String(magnitude % divisor)
        fraction = String(repeating: "0", count: places - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" }.reversed())
    }
}
