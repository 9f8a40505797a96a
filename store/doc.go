// Package store defines where chat conversations are kept: the [Store]
// interface, small enough to implement on any database, and the records it
// holds. Implementations live in their own packages (store/sqlite, the
// embedded default; store/redis for many instances) and prove themselves
// against the shared conformance suite in store/storetest, as fs.FS
// implementations do with testing/fstest.
//
// The chat package imports only this package; it never imports a driver.
// docs/persistence.md explains what is saved when, the schema of each
// implementation, identities and limits.
package store
