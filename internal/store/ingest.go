package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Message is one agent result to ingest, identified by its message id (the
// JetStream message id, or any id stable across redeliveries). Set exactly
// one of Inventory (full replace), Delta, or Scope (with Findings: the
// complete findings of that scope, possibly none).
type Message struct {
	ID     string
	HostID int64

	Inventory *model.Inventory
	Delta     *InventoryDelta

	Scope    string // "posture", "vuln"...
	Findings []model.Finding

	// DataKind and Data carry a capability's own result (e.g. every
	// baseline check result), applied by the handler registered for
	// DataKind with RegisterDataKind.
	DataKind string
	Data     json.RawMessage
	// Prepared is Data decoded ahead of the ingest transaction by
	// PrepareData (optional; set by the server's parallel decoders).
	Prepared any
}

// DataHandler applies one capability result of a host inside the ingest
// transaction. An error wrapping ErrBadData rejects the message; any other
// fails (and retries) the batch.
type DataHandler func(ctx context.Context, tx db, hostID int64, data json.RawMessage, now time.Time) error

// ErrBadData marks a capability result that can never be applied.
var ErrBadData = errors.New("bad result data")

var dataHandlers = map[string]DataHandler{}

// RegisterDataKind registers the handler of a result kind; store files of
// the capabilities call it from init.
func RegisterDataKind(kind string, h DataHandler) { dataHandlers[kind] = h }

// DataBatch applies the results of one kind of an ingest transaction
// together, for kinds with many rows per result: Add checks and buffers
// one result (m.DataKind, in message order; an error wrapping ErrBadData
// rejects it, any other fails the batch), Flush writes them all at the
// end of the transaction.
type DataBatch interface {
	Add(ctx context.Context, tx db, m *Message, now time.Time) error
	Flush(ctx context.Context, tx db, now time.Time) error
}

var (
	dataBatches  = map[string]func() DataBatch{}
	dataPrepares = map[string]func(m *Message) (any, error){}
)

// RegisterDataBatch registers a result kind applied in batches: newBatch
// is called once per ingest transaction that holds results of the kind.
// prepare, when set, decodes a message's Data into Prepared ahead of the
// transaction (PrepareData), so that the CPU work of decoding runs in
// parallel rather than in the one ingest transaction.
func RegisterDataBatch(kind string, newBatch func() DataBatch, prepare func(m *Message) (any, error)) {
	dataBatches[kind] = newBatch
	if prepare != nil {
		dataPrepares[kind] = prepare
	}
}

// PrepareData decodes m's capability data ahead of IngestBatch when its
// kind supports it. It is safe to call concurrently on distinct messages;
// on an error m is left as it was and IngestBatch rejects it.
func PrepareData(m *Message) {
	if p := dataPrepares[m.DataKind]; p != nil && m.Prepared == nil {
		if v, err := p(m); err == nil {
			m.Prepared = v
		}
	}
}

// HasDataKind reports whether a handler is registered for kind.
func HasDataKind(kind string) bool {
	_, ok := dataHandlers[kind]
	_, batched := dataBatches[kind]
	return ok || batched
}

func (m *Message) kind() (string, error) {
	n := 0
	kind := ""
	if m.Inventory != nil {
		n, kind = n+1, "inventory"
	}
	if m.Delta != nil {
		n, kind = n+1, "delta"
	}
	if m.Scope != "" {
		n, kind = n+1, "findings:"+m.Scope
	}
	if m.DataKind != "" {
		n, kind = n+1, "data:"+m.DataKind
		if !HasDataKind(m.DataKind) {
			return "", fmt.Errorf("unknown result kind %q", m.DataKind)
		}
	}
	switch {
	case m.ID == "":
		return "", errors.New("message without id")
	case n != 1:
		return "", errors.New("message must carry exactly one of an inventory, a delta, a findings scope or capability data")
	case len(m.ID) > maxKeyLen || len(m.Scope) > maxKeyLen:
		return "", fmt.Errorf("message id or scope longer than %d bytes", maxKeyLen)
	}
	return kind, nil
}

// Limits on values that land in indexed columns: PostgreSQL cannot index
// a value of more than about 2.7 kB, and no real id, name or path is near
// these. A message over them is rejected before it reaches the database.
const (
	maxKeyLen  = 512  // message id, scope, finding id, rule, names, versions
	maxPathLen = 2048 // package location
)

// checkLimits rejects an inventory (or delta) with a value too long to index.
func checkLimits(pkgs []model.Package, inv *model.Inventory) error {
	for i := range pkgs {
		p := &pkgs[i]
		if len(p.Name) > maxKeyLen || len(p.Version) > maxKeyLen || len(p.SourceName) > maxKeyLen ||
			len(p.Type) > maxKeyLen || len(p.State) > maxKeyLen || len(p.Location) > maxPathLen {
			return fmt.Errorf("package %.64q: name, version, source, type, state or location too long", p.Name)
		}
	}
	for i := range inv.Sockets {
		if len(inv.Sockets[i].LocalAddr) > maxKeyLen {
			return fmt.Errorf("socket address %.64q too long", inv.Sockets[i].LocalAddr)
		}
	}
	for i := range inv.Applications {
		if a := &inv.Applications[i]; len(a.Name) > maxKeyLen || len(a.Version) > maxKeyLen {
			return fmt.Errorf("application %.64q: name or version too long", a.Name)
		}
	}
	for i := range inv.Users {
		if len(inv.Users[i].Name) > maxKeyLen {
			return fmt.Errorf("user %.64q: name too long", inv.Users[i].Name)
		}
	}
	return nil
}

// Outcome is what ingesting a message did.
type Outcome int

const (
	// Applied: the message was stored.
	Applied Outcome = iota + 1
	// Duplicate: a message with this id was applied before; nothing done.
	Duplicate
	// Stale: an inventory older than the one held; recorded, nothing changed.
	Stale
	// Rejected: not applicable (see MessageResult.Err): unknown host, a
	// delta that does not fit (ErrDeltaMismatch: ask for a full
	// inventory), a malformed message. Not recorded, so a redelivery is
	// looked at again.
	Rejected
)

func (o Outcome) String() string {
	switch o {
	case Applied:
		return "applied"
	case Duplicate:
		return "duplicate"
	case Stale:
		return "stale"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// MessageResult is the outcome of one message of a batch.
type MessageResult struct {
	Outcome Outcome
	Err     error // why it was rejected
}

// IngestBatch applies messages in order, in one transaction: either all
// their effects are stored (with their ids, so a redelivery is a
// Duplicate) or, when it returns an error, none that were not stored
// before (so the batch can be retried as a whole: kill-and-replay safe).
// Findings of many messages go to the database as one multi-row upsert.
//
// Per-message problems do not fail the batch: they are Rejected in the
// results (one per message, in order), and not recorded. That includes a
// message holding a value the database refuses: the batch is then applied
// again one message per transaction, so that one poison message cannot
// hold up the others. A caller acknowledges Rejected messages (and logs
// them) rather than redelivering them forever.
func (s *Store) IngestBatch(ctx context.Context, msgs []Message) ([]MessageResult, error) {
	res, err := s.ingestTx(ctx, msgs)
	if err != nil && len(msgs) > 1 && dataError(err) && ctx.Err() == nil {
		s.log.Warn("store: batch refused by the database, applying its messages one by one", "messages", len(msgs), "err", err)
		return s.ingestEach(ctx, msgs)
	}
	if err != nil {
		return nil, fmt.Errorf("ingest %d messages: %w", len(msgs), err)
	}
	return res, nil
}

func (s *Store) ingestTx(ctx context.Context, msgs []Message) ([]MessageResult, error) {
	var res []MessageResult
	err := s.tx(ctx, func(tx db) error {
		var err error
		res, err = s.ingest(ctx, tx, msgs)
		if err == nil && s.hook != nil {
			err = s.hook("ingest:before-commit")
		}
		return err
	})
	return res, err
}

// ingestEach applies messages one transaction each. On an error other than
// a refused value it stops and returns it: the messages applied so far are
// recorded, so a redelivery of the batch finds them Duplicate.
func (s *Store) ingestEach(ctx context.Context, msgs []Message) ([]MessageResult, error) {
	res := make([]MessageResult, len(msgs))
	for i := range msgs {
		r, err := s.ingestTx(ctx, msgs[i:i+1])
		switch {
		case err == nil:
			res[i] = r[0]
		case dataError(err):
			res[i] = MessageResult{Outcome: Rejected, Err: fmt.Errorf("refused by the database: %w", err)}
		default:
			return nil, fmt.Errorf("ingest %d messages: %w", len(msgs), err)
		}
	}
	return res, nil
}

type hostState struct {
	inventoryAt time.Time
}

func (s *Store) ingest(ctx context.Context, tx db, msgs []Message) ([]MessageResult, error) {
	res := make([]MessageResult, len(msgs))
	kinds := make([]string, len(msgs))
	reject := func(i int, err error) { res[i] = MessageResult{Outcome: Rejected, Err: err} }

	// Shape, and duplicates within the batch.
	firstOf := map[string]int{}
	hostSet := map[int64]bool{}
	for i := range msgs {
		k, err := msgs[i].kind()
		if err != nil {
			reject(i, err)
			continue
		}
		kinds[i] = k
		if _, dup := firstOf[msgs[i].ID]; dup {
			res[i].Outcome = Duplicate
			continue
		}
		firstOf[msgs[i].ID] = i
		hostSet[msgs[i].HostID] = true
	}

	// The hosts, locked (PostgreSQL; in id order, so concurrent batches
	// cannot deadlock) so that concurrent ingests of a host are serialised.
	hosts, err := lockHosts(ctx, tx, slices.Sorted(maps.Keys(hostSet)))
	if err != nil {
		return nil, err
	}
	var claim []int
	for i := range msgs {
		if res[i].Outcome != 0 {
			continue
		}
		if _, ok := hosts[msgs[i].HostID]; !ok {
			reject(i, fmt.Errorf("host %d: %w", msgs[i].HostID, ErrNotFound))
			continue
		}
		claim = append(claim, i)
	}

	// Record the ids; the ones already there are duplicates.
	now := s.clock()
	claimed := make(map[string]bool, len(claim))
	err = tx.bulk(ctx, bulkInsert{
		table:  "ingested_messages",
		cols:   []bulkCol{{"msg_id", colText}, {"host_id", colInt}, {"kind", colText}, {"ingested_at", colTime}},
		suffix: `ON CONFLICT (msg_id) DO NOTHING RETURNING msg_id`,
	}, len(claim), func(j int, dst []any) []any {
		m := &msgs[claim[j]]
		return append(dst, m.ID, m.HostID, kinds[claim[j]], now)
	}, func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		claimed[id] = true
		return nil
	})
	if err != nil {
		return nil, err
	}

	group := newFindingsGroup()
	batches := map[string]DataBatch{}
	var unclaim []any
	for _, i := range claim {
		m := &msgs[i]
		if !claimed[m.ID] {
			res[i].Outcome = Duplicate
			continue
		}
		if s.hook != nil {
			if err := s.hook("message:" + m.ID); err != nil {
				return nil, err
			}
		}
		if m.Scope != "" {
			rows, err := prepareFindings(m.HostID, m.Scope, m.Findings)
			if err != nil {
				reject(i, err)
				unclaim = append(unclaim, m.ID)
				continue
			}
			hs := hostScope{m.HostID, m.Scope}
			if !group.fits(hs, rows) {
				if err := group.flush(ctx, tx, now); err != nil {
					return nil, err
				}
			}
			group.add(hs, rows)
			res[i].Outcome = Applied
			continue
		}
		if m.DataKind != "" {
			var err error
			if newBatch := dataBatches[m.DataKind]; newBatch != nil {
				b := batches[m.DataKind]
				if b == nil {
					b = newBatch()
					if c, ok := b.(interface{ configure(*Store) }); ok {
						c.configure(s)
					}
					batches[m.DataKind] = b
				}
				err = b.Add(ctx, tx, m, now)
			} else {
				err = dataHandlers[m.DataKind](ctx, tx, m.HostID, m.Data, now)
			}
			switch {
			case errors.Is(err, ErrBadData):
				reject(i, err)
				unclaim = append(unclaim, m.ID)
			case err != nil:
				return nil, fmt.Errorf("host %d: %s result: %w", m.HostID, m.DataKind, err)
			default:
				res[i].Outcome = Applied
			}
			continue
		}
		h := hosts[m.HostID]
		out, at, err := s.applyInventory(ctx, tx, m.HostID, h.inventoryAt, m.Inventory, m.Delta)
		switch {
		case out == Rejected:
			reject(i, err)
			unclaim = append(unclaim, m.ID)
		case err != nil:
			return nil, fmt.Errorf("host %d: %w", m.HostID, err)
		default:
			res[i].Outcome = out
			h.inventoryAt = at
		}
	}
	if err := group.flush(ctx, tx, now); err != nil {
		return nil, err
	}
	for _, kind := range slices.Sorted(maps.Keys(batches)) {
		if err := batches[kind].Flush(ctx, tx, now); err != nil {
			return nil, fmt.Errorf("%s results: %w", kind, err)
		}
	}
	for lo := 0; lo < len(unclaim); lo += 500 {
		chunk := unclaim[lo:min(lo+500, len(unclaim))]
		if _, err := tx.exec(ctx, `DELETE FROM ingested_messages WHERE msg_id IN `+placeholders(len(chunk)), chunk...); err != nil {
			return nil, fmt.Errorf("unrecord rejected messages: %w", err)
		}
	}
	return res, nil
}

// lockHosts loads the ingest state of the hosts that exist, locking their
// rows on PostgreSQL.
func lockHosts(ctx context.Context, tx db, ids []int64) (map[int64]*hostState, error) {
	out := make(map[int64]*hostState, len(ids))
	const per = 500
	for lo := 0; lo < len(ids); lo += per {
		chunk := ids[lo:min(lo+per, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT id, inventory_at FROM hosts WHERE id IN ` + placeholders(len(chunk)) + ` ORDER BY id`
		if tx.d == dialectPostgres {
			q += ` FOR NO KEY UPDATE`
		}
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("lock hosts: %w", err)
		}
		for rows.Next() {
			var id int64
			h := &hostState{}
			if err := rows.Scan(&id, ts(&h.inventoryAt)); err != nil {
				rows.Close()
				return nil, fmt.Errorf("lock hosts: %w", err)
			}
			out[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("lock hosts: %w", err)
		}
	}
	return out, nil
}

func (s *Store) ingestOne(ctx context.Context, m Message) (bool, error) {
	res, err := s.IngestBatch(ctx, []Message{m})
	if err != nil {
		return false, err
	}
	switch r := res[0]; r.Outcome {
	case Applied:
		return true, nil
	case Rejected:
		return false, fmt.Errorf("ingest message %s: %w", m.ID, r.Err)
	}
	return false, nil
}

// IngestInventory replaces a host's inventory with inv (software rows are
// shared with other hosts). applied is false when msgID was ingested before
// or inv is older than the inventory held.
func (s *Store) IngestInventory(ctx context.Context, msgID string, hostID int64, inv *model.Inventory) (applied bool, err error) {
	if inv == nil {
		return false, errors.New("ingest inventory: nil inventory")
	}
	return s.ingestOne(ctx, Message{ID: msgID, HostID: hostID, Inventory: inv})
}

// IngestInventoryDelta applies a delta to a host's inventory. A delta whose
// base is not the inventory held fails with ErrDeltaMismatch: the agent
// must send a full inventory.
func (s *Store) IngestInventoryDelta(ctx context.Context, msgID string, hostID int64, d *InventoryDelta) (applied bool, err error) {
	if d == nil {
		return false, errors.New("ingest delta: nil delta")
	}
	return s.ingestOne(ctx, Message{ID: msgID, HostID: hostID, Delta: d})
}

// IngestFindings stores the complete findings of one scope of a host:
// new ones open (first seen now), known ones seen again (last seen now;
// resolved ones reopen, suppressed ones stay so), and open ones of the
// scope that are absent are resolved. Other scopes are untouched.
func (s *Store) IngestFindings(ctx context.Context, msgID string, hostID int64, scope string, findings []model.Finding) (applied bool, err error) {
	if strings.TrimSpace(scope) == "" {
		return false, errors.New("ingest findings: empty scope")
	}
	return s.ingestOne(ctx, Message{ID: msgID, HostID: hostID, Scope: scope, Findings: findings})
}

// PruneIngested forgets message ids ingested before cutoff (choose it well
// beyond the stream's redelivery window) and returns how many.
func (s *Store) PruneIngested(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.writer().exec(ctx, `DELETE FROM ingested_messages WHERE ingested_at < ?`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("prune ingested messages: %w", err)
	}
	return res.RowsAffected()
}
