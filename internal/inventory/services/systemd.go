package services

import (
	"context"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// unitService is a service record plus what locating its cgroup needs.
type unitService struct {
	model.Service
	slice string // Slice= ("" for the default)
}

// systemdServices lists every .service unit: unit files (templates included),
// and the template instances that dependency directories enable.
func systemdServices(ctx context.Context, env *inventory.Env, units *Units) ([]unitService, error) {
	names := append(units.Names(".service"), units.Instances(".service")...)
	out := make([]unitService, 0, len(names))
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l, err := units.Load(name)
		if err != nil {
			f, _ := units.File(name)
			env.Warn(f.Source(), err)
			continue
		}
		out = append(out, unitService{
			Service: serviceRecord(name, l, units.State(name, l)),
			slice:   l.Unit.Value("Service", "Slice"),
		})
	}
	return out, nil
}

// serviceRecord fills a model.Service from a loaded unit.
func serviceRecord(name string, l *Loaded, state string) model.Service {
	s := model.Service{
		Name:     name,
		Manager:  "systemd",
		Enabled:  state,
		UnitFile: l.File.Source(),
	}
	if l.File.Masked {
		s.UnitFile = l.File.Path
		return s
	}
	u := l.Unit
	s.Description = u.Value("Unit", "Description")
	if exec := u.Values("Service", "ExecStart"); len(exec) > 0 {
		s.ExecStart = CommandLine(exec[0])
	}
	s.User = u.Value("Service", "User")
	s.DropIns = l.DropIns
	return s
}

// setActive marks services with processes in their cgroup active (MainPID is
// the lowest pid there) and the others inactive. Templates cannot run.
func setActive(svcs []unitService, tree cgroupTree) {
	for i := range svcs {
		s := &svcs[i]
		if IsTemplate(s.Name) {
			continue
		}
		n, low := tree.pids(unitCgroup(s.Name, s.slice))
		if n > 0 {
			s.Active, s.MainPID = "active", low
		} else {
			s.Active = "inactive"
		}
	}
}
