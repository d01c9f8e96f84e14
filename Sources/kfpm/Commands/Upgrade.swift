import ArgumentParser
import KFPStore

extension KFPM {
    /// `kfpm upgrade`: bring a store written by an older kfpm to this kfpm's schema.
    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade",
            abstract: "Upgrade a store written by an older kfpm to this kfpm's schema.",
            discussion: """
                Read commands never change a store, so on a store from an older kfpm they stop and point here; \
                any write (ingest, import) upgrades it too. The upgrade is one transaction: if it cannot be done \
                (two stored names that differ only in Unicode normalization would become one), nothing changes.
                """
        )

        @OptionGroup var storeOption: StoreOption

        func run() throws {
            let store = try storeOption.open(.upgrade)
            let schema = store.schema
            let text =
                schema.upgradedFrom.map { "upgraded the store '\(storeOption.location)' from schema version \($0) to \(schema.version)\n" }
                ?? "the store '\(storeOption.location)' is at schema version \(schema.version) already\n"
            try Console.output(text)
        }
    }
}
