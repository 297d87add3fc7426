// What a "delta" line holds: the change from one snapshot's JSON to the next, so a 10-minute
// recording stays small. Objects follow JSON Merge Patch (RFC 7396): a member replaces, a null
// removes, an object merges. Arrays (replica history, events, recent memes, workloads) get one
// extension, an edit object applied to the array:
//   {"-": 2, "+": [x, y]}   drop 2 from the front, append x and y (a sliding window moving on)
//   {"0": patch, "3": patch} patch elements 0 and 3 in place (same length)
//   {"=": value}             replace the array by a non-array (never happens with today's snapshot)
// Values are canonical (no null members), so a null in a patch always means "remove".

import MemeKit

public enum SnapshotPatch {
    /// The patch turning `old` into `new`; nil when they are equal. Both must be canonical.
    public static func diff(_ old: JSONValue, _ new: JSONValue) -> JSONValue? {
        if old == new { return nil }
        switch (old, new) {
        case (.object(let o), .object(let n)):
            var patch: [String: JSONValue] = [:]
            for (key, value) in n {
                if let before = o[key] {
                    if let d = diff(before, value) { patch[key] = d }
                } else {
                    patch[key] = value
                }
            }
            for key in o.keys where n[key] == nil { patch[key] = .null }
            return .object(patch)
        case (.array(let o), .array(let n)):
            return arrayEdit(o, n)
        case (.array, _):
            // An object (or anything) replacing an array would read as an edit: say "replace".
            return .object(["=": new])
        default:
            // A scalar or an array replaces; an object over a non-object merges onto {}, which gives it whole.
            return new
        }
    }

    /// Applies `patch` to `target`. Throws when an array edit does not fit the array (a corrupt line).
    public static func apply(_ patch: JSONValue, to target: JSONValue) throws -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        if case .array(var items) = target {
            if let replacement = members["="] { return replacement }
            if let drop = members["-"] {
                guard let n = drop.intValue, n >= 0, n <= items.count else {
                    throw PatchError("cannot drop \(drop.text) of \(items.count) array items")
                }
                items.removeFirst(n)
            }
            for (key, value) in members where key != "-" && key != "+" {
                guard let i = Int(key), i >= 0, i < items.count else {
                    throw PatchError("array edit '\(key)' does not fit an array of \(items.count)")
                }
                items[i] = try apply(value, to: items[i])
            }
            if let add = members["+"] {
                guard case .array(let more) = add else { throw PatchError("array edit '+' is not an array") }
                items += more
            }
            return .array(items)
        }
        var object: [String: JSONValue] = if case .object(let o) = target { o } else { [:] }
        for (key, value) in members {
            if value == .null {
                object[key] = nil
            } else {
                object[key] = try apply(value, to: object[key] ?? .null)
            }
        }
        return .object(object)
    }

    /// The smallest of: the whole new array, element patches (same length), or a slide (drop from
    /// the front, append at the end) when the old array's tail starts the new one.
    private static func arrayEdit(_ old: [JSONValue], _ new: [JSONValue]) -> JSONValue {
        var best = JSONValue.array(new)
        var bestSize = best.text.utf8.count
        func consider(_ candidate: JSONValue) {
            let size = candidate.text.utf8.count
            if size < bestSize { (best, bestSize) = (candidate, size) }
        }
        if old.count == new.count {
            var edits: [String: JSONValue] = [:]
            for i in old.indices where old[i] != new[i] { edits[String(i)] = diff(old[i], new[i]) }
            consider(.object(edits))
        }
        for drop in 0..<old.count {
            let kept = old.count - drop
            guard kept <= new.count, old[drop...].elementsEqual(new[..<kept]) else { continue }
            var edit: [String: JSONValue] = [:]
            if drop > 0 { edit["-"] = .int(drop) }
            if kept < new.count { edit["+"] = .array(Array(new[kept...])) }
            consider(.object(edit))
            break
        }
        return best
    }
}

/// A patch that does not fit what it patches.
public struct PatchError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
