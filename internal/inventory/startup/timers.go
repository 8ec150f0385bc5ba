package startup

import (
	"strings"

	"github.com/ward-sec/ward/internal/inventory/services"
	"github.com/ward-sec/ward/internal/model"
)

// timerKeys are the [Timer] settings that say when a timer fires.
var timerKeys = []string{"OnCalendar", "OnActiveSec", "OnBootSec", "OnStartupSec", "OnUnitActiveSec", "OnUnitInactiveSec"}

// timers lists systemd .timer units, using the services package's unit
// search path, precedence, drop-ins and enablement rules. Enabled says
// whether the timer is pulled in at boot: enabled, or linked from a vendor
// *.wants directory, and not masked. Command is the activated service's
// first ExecStart.
func (s *scan) timers() {
	units := services.LoadUnits(s.env.FS, s.env.Warn)
	names := append(units.Names(".timer"), units.Instances(".timer")...)
	for _, name := range names {
		if s.ctx.Err() != nil {
			return
		}
		if services.IsTemplate(name) {
			continue // only instances run
		}
		l, err := units.Load(name)
		if err != nil {
			f, _ := units.File(name)
			s.env.Warn(f.Source(), err)
			continue
		}
		state := units.State(name, l)
		if state == services.StateAlias {
			continue // listed under the name of the timer it points to
		}
		it := model.StartupItem{Kind: "systemd-timer", Path: l.File.Source(), User: "root"}
		if l.File.Masked {
			it.Path = l.File.Path
			it.Enabled = boolPtr(false)
			it.Command = ""
			it.User = ""
			s.add(it)
			continue
		}
		it.Enabled = boolPtr(state == services.StateEnabled || units.Wanted(name))
		it.Schedule = timerSchedule(l.Unit)
		it.Unit = l.Unit.Value("Timer", "Unit")
		if it.Unit == "" {
			it.Unit = strings.TrimSuffix(name, ".timer") + ".service"
		}
		if svc, err := units.Load(it.Unit); err == nil && !svc.File.Masked {
			if exec := svc.Unit.Values("Service", "ExecStart"); len(exec) > 0 {
				it.Command = services.CommandLine(exec[0])
			}
			if u := svc.Unit.Value("Service", "User"); u != "" {
				it.User = u
			}
		}
		s.add(it)
	}
}

// timerSchedule renders the firing rules, e.g. "OnCalendar=daily".
func timerSchedule(u *services.Unit) string {
	var parts []string
	for _, k := range timerKeys {
		for _, v := range u.Values("Timer", k) {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}
