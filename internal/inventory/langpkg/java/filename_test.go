package java

import "testing"

func TestParseFilename(t *testing.T) {
	tests := []struct {
		file, name, version, stem string
	}{
		{"/opt/app/log4j-core-2.14.1.jar", "log4j-core", "2.14.1", "log4j-core-2.14.1"},
		{"BOOT-INF/lib/app-1.0-SNAPSHOT.jar", "app", "1.0-SNAPSHOT", "app-1.0-SNAPSHOT"},
		{"akka-actor_2.13-2.6.20.jar", "akka-actor_2.13", "2.6.20", "akka-actor_2.13-2.6.20"},
		{"guava-31.1-jre.jar", "guava", "31.1-jre", "guava-31.1-jre"},
		{"org.eclipse.osgi_3.18.0.v20220516.jar", "org.eclipse.osgi", "3.18.0.v20220516", "org.eclipse.osgi_3.18.0.v20220516"},
		{"log4j-core.jar", "", "", "log4j-core"},
		{"log4j-1.2-api-2.17.1.jar", "log4j-1.2-api", "2.17.1", "log4j-1.2-api-2.17.1"},
		{"lib-3-1.0.jar", "lib-3", "1.0", "lib-3-1.0"},
		{"netty-2.0.0-rc-1.jar", "netty", "2.0.0-rc-1", "netty-2.0.0-rc-1"},
		{"tool-20230101.jar", "tool", "20230101", "tool-20230101"},
		{"spring3-core-3.x.jar", "spring3-core", "3.x", "spring3-core-3.x"},
		{"-1.0.jar", "", "", "-1.0"},
		{"app.jar", "", "", "app"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			name, version, stem := ParseFilename(tc.file)
			if name != tc.name || version != tc.version || stem != tc.stem {
				t.Errorf("ParseFilename(%q) = %q, %q, %q; want %q, %q, %q", tc.file, name, version, stem, tc.name, tc.version, tc.stem)
			}
		})
	}
}

func TestIsArchiveName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.jar": true, "A.JAR": true, "x.war": true, "y.ear": true, "p.hpi": true, "p.jpi": true, "s.sar": true, "q.par": true,
		"a.jar.sha1": false, "jar": false, "a.zip": false, "a.jarx": false, ".jar": true,
	} {
		if got := IsArchiveName(name); got != want {
			t.Errorf("IsArchiveName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIsPomProperties(t *testing.T) {
	for name, want := range map[string]bool{
		"META-INF/maven/org.slf4j/slf4j-api/pom.properties":               true,
		"BOOT-INF/classes/META-INF/maven/com.example/demo/pom.properties": true,
		"META-INF/maven/pom.properties":                                   false,
		"META-INF/maven/g/pom.properties":                                 false,
		"META-INF/maven/g/a/b/pom.properties":                             false,
		"XMETA-INF/maven/g/a/pom.properties":                              false,
		"pom.properties":                                                  false,
	} {
		if got := isPomProperties(name); got != want {
			t.Errorf("isPomProperties(%q) = %v, want %v", name, got, want)
		}
	}
}
