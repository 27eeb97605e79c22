import Foundation
import Hummingbird
import HummingbirdCore
import TandemCore
import TandemOpenAPI

/// The rules OpenAPI/openapi.json gives each operation's query parameters, read once from the
/// spec: what names the parameter at fault when the generated code could not decode a query
/// (its error says only that decoding failed, not which parameter).
struct QueryParameterRules: Sendable {
    /// What a parameter's value must be.
    enum Rule: Sendable {
        /// An integer from `minimum` to `maximum`.
        case integer(minimum: Int, maximum: Int)
        /// One of these values.
        case oneOf([String])
        /// Any text.
        case text
    }

    /// The spec's rules, by operation id, in the spec's order of parameters.
    static let spec = QueryParameterRules(json: Data(OpenAPISpec.json.utf8))

    private let rules: [String: [(name: String, rule: Rule)]]

    /// Reads the rules of every operation's query parameters from an OpenAPI document.
    init(json: Data) {
        let document = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:]
        let shared = (document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
        var rules: [String: [(name: String, rule: Rule)]] = [:]
        for case let item as [String: Any] in (document["paths"] as? [String: Any] ?? [:]).values {
            for case let operation as [String: Any] in item.values {
                guard let id = operation["operationId"] as? String else { continue }
                rules[id] = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { parameter in
                    let resolved =
                        (parameter["$ref"] as? String).flatMap { shared[String($0.split(separator: "/").last ?? "")] } ?? parameter
                    guard resolved["in"] as? String == "query", let name = resolved["name"] as? String else { return nil }
                    return (name, Self.rule(resolved["schema"] as? [String: Any] ?? [:]))
                }
            }
        }
        self.rules = rules
    }

    private static func rule(_ schema: [String: Any]) -> Rule {
        if let values = schema["enum"] as? [String] { return .oneOf(values) }
        if schema["type"] as? String == "integer" {
            return .integer(minimum: schema["minimum"] as? Int ?? .min, maximum: schema["maximum"] as? Int ?? .max)
        }
        return .text
    }

    /// The first query parameter of `target` (a request's path with its query) that breaks
    /// operation `operationID`'s rules, as the error that names it; `nil` when none does.
    func firstBroken(operationID: String, target: String) -> ValidationError? {
        let query = URI(target).queryParameters
        for (name, rule) in rules[operationID] ?? [] {
            guard let value = query.get(name) else { continue }
            switch rule {
            case .integer(let minimum, let maximum):
                if let number = Int(value), (minimum...maximum).contains(number) { continue }
                return ValidationError(field: name, message: "must be an integer from \(minimum) to \(maximum)")
            case .oneOf(let values):
                if values.contains(value) { continue }
                return ValidationError(field: name, message: "must be one of \(values.map { "\"\($0)\"" }.joined(separator: ", "))")
            case .text:
                continue
            }
        }
        return nil
    }
}
