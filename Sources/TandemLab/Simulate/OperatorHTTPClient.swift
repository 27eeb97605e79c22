import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small client of Tandem's operator HTTP API, for the commands that drive a running
/// service (`simulate`): JSON in, JSON out, errors with the server's message.
struct OperatorHTTPClient: Sendable {
    let baseURL: URL
    let apiKey: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func request(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> Any {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch let error as URLError {
            let reason = (error.userInfo[NSLocalizedDescriptionKey] as? String) ?? "URL error \(error.errorCode)"
            throw Failure(description: "could not reach Tandem's HTTP API at \(baseURL.absoluteString) (--http): \(reason)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) ?? [:]
        guard (200..<300).contains(status) else {
            let message = ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? "HTTP \(status)"
            throw Failure(description: "\(method) \(path): \(message)")
        }
        return json
    }

    /// Pretty-printed JSON of a value the API returned.
    static func pretty(_ json: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]) else { return "\(json)" }
        return String(decoding: data, as: UTF8.self)
    }
}
