import TandemStore
import Testing

@Suite("Splitting migration files into statements")
struct SQLScriptTests {
    @Test("statements split at top-level semicolons; comments-only pieces dropped")
    func splitsStatements() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x int);
            /* block; comment */
            INSERT INTO a VALUES (1);
            -- trailing comment
            """
        #expect(SQLScript.statements(of: script).count == 2)
    }

    @Test(
        "quoted strings, identifiers and dollar-quoted bodies keep their semicolons",
        arguments: [
            "SELECT 'a;b'", "SELECT 'it''s; fine'", #"SELECT 1 AS "odd;name""#,
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
            "CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql",
        ])
    func keepsQuotedSemicolons(statement: String) {
        #expect(SQLScript.statements(of: statement + ";\nSELECT 2;") == [statement, "SELECT 2"])
    }
}
