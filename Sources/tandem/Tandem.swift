import TandemCommandLine

/// The `tandem` executable: the command line of ``TandemCommand``.
@main
enum Tandem {
    static func main() async {
        await TandemCommand.main()
    }
}
