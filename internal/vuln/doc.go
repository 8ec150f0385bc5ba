// Package vuln is Ward's vulnerability detection: the `ward scan --vuln`
// detector over an advisory database, with the pieces the server reuses.
//
// Packages and their exported API:
//
//   - advisory: the normalised record. Advisory{ID, Source, Aliases,
//     Upstream, Related, Severity, Affected[]{Ecosystem, Name, Ranges, Versions,
//     Status, StatusReason}}; Key() ("osv/GHSA-…", "debian-tracker/CVE-…",
//     "debian-tracker/CVE-…/<srcpkg>" for tracker-dump records, which are
//     per source package) is unique in a database. PackageKey{Ecosystem, Name} is the index.
//
//   - feed: parsers. Read(ctx, path, Sink) walks a file, folder or all.zip
//     (OSV JSON/YAML, the Debian tracker JSON dump, vuln-list-debian files)
//     and calls Sink.Advisory per record, Sink.Problem per malformed record
//     (named "file!entry"), Sink.Withdrawn per withdrawn one.
//
//   - db: the local store (one SQLite file). Open(path) / OpenExisting(path);
//     Import(ctx, paths...) applies all paths in one transaction and returns
//     ImportResult{Added, Changed, Removed []string (advisory keys),
//     Problems}; Get(ctx, keys) loads advisories by key (e.g. exactly those
//     an import added or changed); ForPackages(ctx, []PackageKey) loads
//     those naming given packages; KeysForID(ctx, "CVE-…") finds the records
//     of one bug; Each(ctx, fn) walks all; Info(ctx) has sources, counts,
//     import date and Stale (> 7 days). DefaultPath() is
//     /var/lib/ward/vulndb/advisories.db for root, else the user cache dir.
//
//   - match: New(advs) indexes advisories by (ecosystem, package); a
//     *Matcher is read-only and safe for concurrent use. Match(inv) and
//     MatchPackages(Target, pkgs) return []Match (one per vulnerable package
//     and bug, aliases merged; OS packages grouped by source package with
//     their binary packages in Match.Packages); Match.Finding() is the
//     model.Finding. Keys(inv) lists the PackageKeys an inventory looks up.
//     Re-matching a fleet after an import: m := match.New(db.Get(res.Added +
//     res.Changed)); for each stored inventory, m.Match(inv) — each package
//     costs one map lookup against the small index.
//
//   - impact, zeroday, fleet: restart impact (processes holding a
//     package's files), operator-written 0-day checks, and the server's
//     matcher over stored inventories (re-match on inventory and on import,
//     "which hosts are affected"); separate owner.
package vuln
