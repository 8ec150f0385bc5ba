package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/fleet/proto"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

// TestWithheldParams: a task whose params are kept in memory only is
// sent with the real params, and a run whose params are gone (a server
// restart) fails with the reason instead of reaching the agent with the
// placeholder.
func TestWithheldParams(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	creds, res, nc := enrollAgent(t, s, newEnrollToken(t, s, 1), "m-withheld")
	sub, err := nc.SubscribeSync(transport.TaskSubject(creds.AgentID))
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	hostID, _ := strconv.ParseInt(res.HostID, 10, 64)
	newTask := func() int64 {
		task, err := s.Store.CreateTask(ctx, store.NewTask{Type: "weakpass-leaked", Target: store.Target{HostIDs: []int64{hostID}},
			Params: store.WithheldParams, CreatedBy: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Store.QueueRuns(ctx, task.ID); err != nil {
			t.Fatal(err)
		}
		return task.ID
	}

	secret := json.RawMessage(`{"passwords":["Correct-Horse-9"]}`)
	kept := newTask()
	s.KeepSecretParams(kept, secret)
	if err := s.SendQueued(ctx, kept); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("no task message: %v", err)
	}
	var tm proto.TaskMessage
	if err := json.Unmarshal(m.Data, &tm); err != nil || !bytes.Equal(tm.Params, secret) {
		t.Fatalf("task message %s (%v)", m.Data, err)
	}

	// Forgotten once the run has finished.
	runs, err := s.Store.Runs(ctx, store.RunFilter{TaskID: kept})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	for _, st := range []string{"running", "done"} {
		_ = s.taskStatuses(ctx, []taskStatus{{hostID, proto.ResultMessage{RunID: strconv.FormatInt(runs[0].ID, 10), Status: st}}})
		if _, held := s.secretParams.Load(kept); held != (st == "running") {
			t.Errorf("after %s: params held %v", st, held)
		}
	}

	gone := newTask() // as after a restart: nothing in memory
	if err := s.SendQueued(ctx, gone); err != nil {
		t.Fatal(err)
	}
	runs, err = s.Store.Runs(ctx, store.RunFilter{TaskID: gone})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	if runs[0].Status != store.RunFailed || runs[0].Error != errSecretParamsGone {
		t.Errorf("run %+v", runs[0])
	}
	if m, err := sub.NextMsg(300 * time.Millisecond); err == nil {
		t.Errorf("placeholder params sent to the agent: %s", m.Data)
	}
}
