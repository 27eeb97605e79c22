import TandemLab

/// The `tandem-lab` executable: the command line of ``TandemLabCommand``.
@main
enum TandemLabMain {
    static func main() async {
        await TandemLabCommand.main()
    }
}
