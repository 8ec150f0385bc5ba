package wordlists

import (
	"slices"
	"testing"
)

func TestLists(t *testing.T) {
	if n := len(Common()); n != 10000 {
		t.Errorf("Common: %d words", n)
	}
	if Common()[0] != "password" || Common()[1] != "123456" {
		t.Errorf("Common not in frequency order: %q", Common()[:2])
	}
	if n := len(Chinese()); n != 1000 || !slices.Contains(Chinese(), "woaini1314") {
		t.Errorf("Chinese: %d words", n)
	}
	if !slices.Contains(SSH(), "raspberry") {
		t.Error("SSH list lacks raspberry")
	}
	var tomcat, mysqlRoot bool
	for _, c := range Defaults() {
		if c.Service == "tomcat" && c.User == "tomcat" && c.Password == "tomcat" {
			tomcat = true
		}
		if c.Service == "mysql" && c.User == "root" && c.Password == "" {
			mysqlRoot = true
		}
	}
	if len(Defaults()) != 243 || !tomcat || !mysqlRoot {
		t.Errorf("Defaults: %d entries, tomcat:tomcat %v, mysql root:'' %v", len(Defaults()), tomcat, mysqlRoot)
	}
	for _, w := range Common() {
		if w == "" || w[len(w)-1] == '\r' {
			t.Fatalf("bad word %q", w)
		}
	}
}
