package websites

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestParseTomcatServerXML(t *testing.T) {
	// Debian's packaged server.xml: the TLS and AJP connectors in it are
	// commented out and must not be reported.
	real, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata/roots/debian/opt/tomcat/conf/server.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		xml  []byte
		want []tomcatHost
	}{
		{"debian packaged", real, []tomcatHost{{Name: "localhost", AppBase: "webapps", Line: 143, Listen: []string{"8080"}}}},
		{"tls, ajp, two services", []byte(`<Server port="8005">
  <Service name="A">
    <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol" SSLEnabled="true"/>
    <Connector port="8009" protocol="AJP/1.3" secretRequired="false"/>
    <Engine name="A" defaultHost="a"><Host name="a" appBase="/srv/apps"/><Host name="b"/></Engine>
  </Service>
  <Service name="B">
    <Connector port="9090"/>
    <Engine name="B"><Host name="c" appBase="c-apps"></Host></Engine>
  </Service>
</Server>`), []tomcatHost{
			{Name: "a", AppBase: "/srv/apps", Line: 5, Listen: []string{"8443 ssl", "8009 ajp"}, TLS: true},
			{Name: "b", AppBase: "webapps", Line: 5, Listen: []string{"8443 ssl", "8009 ajp"}, TLS: true},
			{Name: "c", AppBase: "c-apps", Line: 9, Listen: []string{"9090"}},
		}},
		{"connector after host still counts", []byte(`<Service><Engine><Host name="h"/></Engine><Connector port="1"/></Service>`),
			[]tomcatHost{{Name: "h", AppBase: "webapps", Line: 1, Listen: []string{"1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTomcatServerXML(tt.xml)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(tomcatHost{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
