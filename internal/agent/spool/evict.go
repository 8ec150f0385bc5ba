package spool

// planEviction chooses what to drop so that at least overCount messages and
// overBytes bytes are freed: repeatedly the oldest inventory snapshot
// together with the deltas after it that build on it (up to the next full
// inventory, which stays a candidate for the next round). Findings, task
// status and unknown kinds are never chosen.
//
// victims are ascending indices into es. breaks is true when the last
// dropped run reaches the end of the spool: no full inventory is left after
// it, so the inventory the agent diffs against will never reach the server.
// ok is false when dropping every snapshot would not free enough; then
// nothing should be dropped.
func planEviction(es []entry, overCount int, overBytes int64) (victims []int, breaks, ok bool) {
	freedCount, freedBytes := 0, int64(0)
	enough := func() bool { return freedCount >= overCount && freedBytes >= overBytes }
	i := 0
	for !enough() {
		for i < len(es) && !droppable(es[i].Kind) {
			i++
		}
		if i == len(es) {
			return nil, false, false
		}
		victims = append(victims, i)
		freedCount++
		freedBytes += es[i].Size
		breaks = true
		for i++; i < len(es); i++ {
			if es[i].Kind == KindInventory {
				breaks = false
				break
			}
			if es[i].Kind == KindInventoryDelta {
				victims = append(victims, i)
				freedCount++
				freedBytes += es[i].Size
			}
		}
	}
	return victims, breaks, true
}
