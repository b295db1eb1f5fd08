package systemd

import (
	"strings"
)

// Service is a service unit's [Service] settings that decide how a timer's
// job runs.
type Service struct {
	Unit
	// Type is Type=, or the default systemd 252 picks: dbus with BusName=,
	// oneshot without ExecStart=, else simple.
	Type            string
	ExecStart       []Command // the commands, in order, after resets
	RemainAfterExit bool
	// Invalid holds the assignments systemd ignores or refuses, with why.
	Invalid   []*SettingError
	execStart []string // the ExecStart= values as written
}

// Service loads the service unit name (".service" is added when missing).
// Its errors are Load's. Specifiers the unit's name gives (%n %N %p %i)
// are resolved in ExecStart=; others are listed in each Command.
func (t Tree) Service(name string) (*Service, error) {
	if !strings.HasSuffix(name, ".service") {
		name += ".service"
	}
	u, err := t.Load(name)
	if err != nil {
		return nil, err
	}
	s := &Service{Unit: *u, execStart: u.Values("Service", "ExecStart")}
	known := nameSpecifiers(name)
	for _, v := range s.execStart {
		cmds, err := SplitExec(v, known)
		if err != nil {
			s.Invalid = append(s.Invalid, &SettingError{Where: u.where("Service", "ExecStart", v), Key: "ExecStart", Value: v, Err: err})
			continue
		}
		s.ExecStart = append(s.ExecStart, cmds...)
	}
	s.Type, _ = u.Value("Service", "Type")
	if s.Type == "" {
		switch _, bus := u.Value("Service", "BusName"); {
		case bus:
			s.Type = "dbus"
		case len(s.execStart) == 0:
			s.Type = "oneshot"
		default:
			s.Type = "simple"
		}
	}
	if v, ok := u.Value("Service", "RemainAfterExit"); ok {
		b, err := parseBool(v)
		if err != nil {
			s.Invalid = append(s.Invalid, &SettingError{Where: u.where("Service", "RemainAfterExit", v), Key: "RemainAfterExit", Value: v, Err: err})
		}
		s.RemainAfterExit = b
	}
	return s, nil
}

// nameSpecifiers are the specifiers a unit's name alone gives.
func nameSpecifiers(name string) map[byte]string {
	dot := strings.LastIndexByte(name, '.')
	base := name[:dot]
	prefix, instance, _ := strings.Cut(base, "@")
	return map[byte]string{'n': name, 'N': base, 'p': prefix, 'i': instance}
}
