package systemd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// ErrNotFound is wrapped by the errors of Tree's loaders when no unit file
// of the name is on the search path.
var ErrNotFound = errors.New("unit not found")

// Tree is a systemd instance's unit files under a root directory: the
// system instance, or a user's.
type Tree struct {
	Root string // "/" on a live system; tests use a temporary directory
	User bool   // the user instance (systemctl --user) instead of the system's
	Home string // the user's home directory, for User; relative to Root

	over *override // a drop-in read in place of the file (Tree.with)
}

// override is a drop-in's contents read in place of what its path holds.
type override struct {
	path string
	data []byte // nil: as if there were no such file
}

// with returns t reading data as the drop-in at path, a file of a unit's
// own NAME.d directory (nil data: as if path did not exist): what the
// unit would be with that file written, or without it.
func (t Tree) with(path string, data []byte) Tree {
	t.over = &override{path: path, data: data}
	return t
}

// apply returns the drop-in files of unit name with o's in place.
func (o *override) apply(name string, files []string) []string {
	if o == nil {
		return files
	}
	files = slices.DeleteFunc(slices.Clone(files), func(p string) bool { return p == o.path })
	if o.data == nil || filepath.Base(filepath.Dir(o.path)) != name+".d" {
		return files
	}
	i := 0
	for i < len(files) && filepath.Base(files[i]) <= filepath.Base(o.path) {
		i++
	}
	return slices.Insert(files, i, o.path)
}

// read reads the drop-in at p, or o's data in its place.
func (o *override) read(p string) ([]byte, error) {
	if o != nil && p == o.path {
		return o.data, nil
	}
	return os.ReadFile(p)
}

// SearchPath returns the directories units are loaded from, highest
// priority first, each under Root.
//
// The order is systemd.unit(5) "UNIT FILE LOAD PATH", Tables 1 and 2, as
// systemd 252 on Debian prints it (systemd-analyze [--user] unit-paths):
// /lib/systemd/system is searched before /usr/lib/systemd/system there.
// Directories under $XDG_RUNTIME_DIR (transient and generated user units)
// are left out: they only exist while the user is logged in.
func (t Tree) SearchPath() []string {
	var dirs []string
	if t.User {
		dirs = []string{
			t.Home + "/.config/systemd/user.control",
			t.Home + "/.config/systemd/user",
			"/etc/xdg/systemd/user",
			"/etc/systemd/user",
			"/run/systemd/user",
			t.Home + "/.local/share/systemd/user",
			"/usr/local/share/systemd/user",
			"/usr/share/systemd/user",
			"/usr/local/lib/systemd/user",
			"/usr/lib/systemd/user",
		}
	} else {
		dirs = []string{
			"/etc/systemd/system.control",
			"/run/systemd/system.control",
			"/run/systemd/transient",
			"/run/systemd/generator.early",
			"/etc/systemd/system",
			"/etc/systemd/system.attached",
			"/run/systemd/system",
			"/run/systemd/system.attached",
			"/run/systemd/generator",
			"/usr/local/lib/systemd/system",
			"/lib/systemd/system",
			"/usr/lib/systemd/system",
			"/run/systemd/generator.late",
		}
	}
	for i, d := range dirs {
		dirs[i] = filepath.Join(t.Root, d)
	}
	return dirs
}

// configDir is where an administrator's units and drop-ins go.
func (t Tree) configDir() string {
	if t.User {
		return filepath.Join(t.Root, t.Home, ".config/systemd/user")
	}
	return filepath.Join(t.Root, "/etc/systemd/system")
}

// Unit is a unit file as systemd loads it: the file found first on the
// search path, then its drop-ins.
type Unit struct {
	Name    string   // as asked for, e.g. foo@bar.timer
	Path    string   // the unit file read (for an instance, its template's)
	DropIns []string // the drop-ins read after it, in the order read
	// Masked: the unit file, first found, is a symlink to /dev/null or
	// empty; systemd will not load or start the unit.
	Masked   bool
	settings []setting
}

type setting struct {
	section, key, value string
	file                string
	line                int
}

// Values returns the values of a list setting (ExecStart=, OnCalendar=),
// in order, after the last empty assignment, which resets the list.
func (u *Unit) Values(section, key string) []string {
	var vs []string
	for _, s := range u.settings {
		if s.section != section || s.key != key {
			continue
		}
		if s.value == "" {
			vs = nil
			continue
		}
		vs = append(vs, s.value)
	}
	return vs
}

// Value returns the last value of a single-valued setting, and whether it
// is set; an empty value sets the default back.
func (u *Unit) Value(section, key string) (string, bool) {
	for i := len(u.settings) - 1; i >= 0; i-- {
		if s := u.settings[i]; s.section == section && s.key == key {
			return s.value, s.value != ""
		}
	}
	return "", false
}

// where returns the file and line of the last assignment of key, for errors.
func (u *Unit) where(section, key, value string) string {
	for i := len(u.settings) - 1; i >= 0; i-- {
		if s := u.settings[i]; s.section == section && s.key == key && s.value == value {
			return fmt.Sprintf("%s:%d", s.file, s.line)
		}
	}
	return u.Path
}

// parseUnitFile reads one unit file or drop-in as systemd.syntax(7) says.
// Mistakes systemd warns about and skips (a line without =, an assignment
// before any section) are skipped here too.
func parseUnitFile(data []byte, file string) []setting {
	var out []setting
	section, cont, contLine := "", "", 0
	inCont := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Text()
		if n == 1 {
			raw = strings.TrimPrefix(raw, "\ufeff")
		}
		// A comment inside a continuation is skipped, the continuation goes on.
		if l := strings.TrimLeft(raw, " \t\n\r"); l != "" && (l[0] == '#' || l[0] == ';') {
			continue
		}
		p := raw
		if inCont {
			p = cont + raw
		} else {
			contLine = n
		}
		if endsEscaped(p) {
			cont, inCont = p[:len(p)-1]+" ", true
			continue
		}
		cont, inCont = "", false
		section, out = parseLine(p, section, file, contLine, out)
	}
	if inCont {
		_, out = parseLine(cont, section, file, contLine, out)
	}
	return out
}

// endsEscaped reports whether s ends in a backslash that is not itself
// escaped: a line continuation.
func endsEscaped(s string) bool {
	esc := false
	for i := 0; i < len(s); i++ {
		if esc {
			esc = false
		} else if s[i] == '\\' {
			esc = true
		}
	}
	return esc
}

func parseLine(l, section, file string, line int, out []setting) (string, []setting) {
	l = strings.Trim(l, " \t\n\r")
	switch {
	case l == "" || l[0] == '.': // .include is gone from systemd
		return section, out
	case l[0] == '[':
		if !strings.HasSuffix(l, "]") {
			return "", out // systemd: invalid section header, ignore what follows
		}
		return l[1 : len(l)-1], out
	}
	k, v, ok := strings.Cut(l, "=")
	if !ok || section == "" {
		return section, out
	}
	return section, append(out, setting{section: section, key: strings.Trim(k, " \t\n\r"),
		value: strings.Trim(v, " \t\n\r"), file: file, line: line})
}

// templateOf returns foo@.timer for foo@bar.timer, or "" for a name
// that is not an instance.
func templateOf(name string) string {
	at := strings.IndexByte(name, '@')
	dot := strings.LastIndexByte(name, '.')
	if at < 0 || dot < at || at+1 == dot {
		return ""
	}
	return name[:at+1] + name[dot:]
}

// masked reports whether the file at p is what systemd counts as masked:
// a symlink to /dev/null or an empty file.
func masked(root, p string) bool {
	if l, err := os.Readlink(p); err == nil && filepath.Clean(l) == "/dev/null" {
		return true
	}
	fi, err := os.Stat(resolve(root, p))
	if err != nil {
		return false
	}
	return fi.Mode()&fs.ModeCharDevice != 0 || (fi.Mode().IsRegular() && fi.Size() == 0)
}

// resolve follows one absolute symlink at p inside root, as systemd reads
// a linked unit file of an image (systemctl link, an alias).
func resolve(root, p string) string {
	l, err := os.Readlink(p)
	if err != nil || !filepath.IsAbs(l) || root == "/" || root == "" {
		return p
	}
	return filepath.Join(root, l)
}

// Load reads the unit name as systemd would: the first unit file of that
// name on the search path (for an instance foo@bar.timer, foo@bar.timer or
// else the template foo@.timer), then its drop-ins. It returns an error
// wrapping ErrNotFound when there is no such file, or the error reading
// one. A masked unit is returned with Masked set and nothing read.
func (t Tree) Load(name string) (*Unit, error) {
	if name == "" || strings.ContainsAny(name, "/\x00") || !strings.Contains(name, ".") {
		return nil, fmt.Errorf("systemd: invalid unit name %q", name)
	}
	u := &Unit{Name: name}
	dirs := t.SearchPath()
	names := []string{name}
	if tpl := templateOf(name); tpl != "" {
		names = append(names, tpl)
	}
	for _, n := range names {
		for _, d := range dirs {
			p := filepath.Join(d, n)
			if _, err := os.Lstat(p); err != nil {
				continue
			}
			u.Path = p
			if masked(t.Root, p) {
				u.Masked = true
				return u, nil
			}
			data, err := os.ReadFile(resolve(t.Root, p))
			if err != nil {
				return nil, fmt.Errorf("systemd: %s: %w", name, err)
			}
			u.settings = parseUnitFile(data, p)
			goto dropins
		}
		// systemd looks for the instance's own file in every directory before
		// it falls back to the template.
	}
	return nil, fmt.Errorf("systemd: %s: %w", name, ErrNotFound)
dropins:
	for _, p := range t.over.apply(name, dropIns(t.Root, dirs, name)) {
		data, err := t.over.read(p)
		if err != nil {
			return nil, fmt.Errorf("systemd: %s: %w", name, err)
		}
		u.DropIns = append(u.DropIns, p)
		u.settings = append(u.settings, parseUnitFile(data, p)...)
	}
	return u, nil
}

// dropInDirs lists a unit's drop-in directories in one search directory,
// in the order systemd 252's unit_file_find_dirs() adds them: the unit's
// own, its template's, then each dash prefix, longest first (foo-bar-baz
// then foo-bar- then foo-), so the more specific win a file name.
func dropInDirs(dir, name string, out []string) []string {
	out = append(out, filepath.Join(dir, name+".d"))
	if tpl := templateOf(name); tpl != "" {
		out = dropInDirs(dir, tpl, out)
	}
	dot := strings.LastIndexByte(name, '.')
	prefix, suffix := name[:dot], name[dot:]
	if at := strings.IndexByte(prefix, '@'); at >= 0 {
		prefix = prefix[:at]
	}
	for {
		i := strings.LastIndexByte(prefix, '-')
		if i < 0 {
			break
		}
		// Only the template's recursion covers the template's own prefixes;
		// here the prefixes of the name as given.
		out = append(out, filepath.Join(dir, prefix[:i+1]+suffix+".d"))
		prefix = prefix[:i]
	}
	return out
}

// dropIns returns the .conf files that apply to name, in the order systemd
// reads them: sorted by file name across all directories, a file name
// taken from the first directory that has it (higher priority search
// directory first, then the unit's own before its prefixes' and before the
// type-wide type.d/); a masked one (symlink to /dev/null, empty) hides the
// others of its name and is not read.
func dropIns(root string, search []string, name string) []string {
	var dirs []string
	for _, d := range search {
		dirs = dropInDirs(d, name, dirs)
	}
	typ := name[strings.LastIndexByte(name, '.')+1:]
	for _, d := range search {
		dirs = append(dirs, filepath.Join(d, typ+".d"))
	}
	seen := map[string]string{}
	for _, d := range dedupe(dirs) {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".conf") || e.IsDir() {
				continue
			}
			if _, ok := seen[e.Name()]; !ok {
				seen[e.Name()] = filepath.Join(d, e.Name())
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	var files []string
	for _, n := range names {
		if p := seen[n]; !masked(root, p) {
			files = append(files, resolve(root, p))
		}
	}
	return files
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
