import Foundation

/// Prints a line at once (stdout is block-buffered when piped; progress must show up live).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
