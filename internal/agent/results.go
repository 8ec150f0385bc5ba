package agent

import (
	"encoding/json"
	"fmt"

	"github.com/ward-sec/ward/internal/agent/spool"
)

// outMsg is an encoded result, ready for the spool.
type outMsg struct {
	id, kind string
	payload  []byte
}

// encode fills in the message's id, agent and time and encodes it.
func (a *Agent) encode(m ResultMessage) (outMsg, error) {
	if m.MsgID == "" {
		m.MsgID = newMsgID()
	}
	m.AgentID = a.opts.AgentID
	m.Time = a.opts.Now().UTC()
	b, err := json.Marshal(&m)
	if err != nil {
		return outMsg{}, fmt.Errorf("encode %s result: %w", m.Kind, err)
	}
	return outMsg{id: m.MsgID, kind: m.Kind, payload: b}, nil
}

// fits reports whether an encoded result may be published as one message.
func (a *Agent) fits(m outMsg) bool { return len(m.payload) <= a.opts.MaxMessageBytes }

// enqueue spools m (durably) and wakes the sender.
func (a *Agent) enqueue(m outMsg) error {
	if !a.fits(m) {
		return fmt.Errorf("%s result is %d bytes, over the %d byte message limit", m.kind, len(m.payload), a.opts.MaxMessageBytes)
	}
	if err := a.spool.Put(spool.Message{ID: m.id, Kind: m.kind, Created: a.opts.Now(), Payload: m.payload}); err != nil {
		return err
	}
	signal(a.wake)
	return nil
}
