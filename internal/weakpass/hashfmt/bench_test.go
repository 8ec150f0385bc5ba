package hashfmt

import "testing"

// BenchmarkVerify measures one candidate per format on one core (the
// cracker's per-hash rate is 1e9/ns_per_op); bench/weakpass.sh compares
// these against libxcrypt's crypt_r on the same machine.
func BenchmarkVerify(b *testing.B) {
	for _, c := range []struct{ name, hash, user string }{
		{"yescrypt", "$y$j9T$WafLnH.6Z1qDqlPxRIc2/.$kui95ljC7A8t9bllNJBo/Y/Ix/unGQXmSnqR/CJ4cC.", ""},
		{"sha512crypt", "$6$J6KmFS52CIPdB2Dw$sTqbWzPq50bfWaLYJ6zzs4TqIalFDCLAaiQ7fgUr1fVaPtpf56wWDNHDymGB8JeQE2.D2la3eheYLslHPUG4V0", ""},
		{"sha256crypt", "$5$KEJ4PAlDCqVQ6yeX$6PmIlL8Tm2JwiV3o/DKTcDCGHORlDiVnBawf5AG7e7/", ""},
		{"md5crypt", "$1$rHDk8c90$ZyazKQ2SQIb/01vZ62MSr0", ""},
		{"descrypt", "s4b3QHDoRlOuk", ""},
		{"bcrypt-5", "$2a$05$1MwHJ1O7XnVyMAZSHK2PIOv05Nfj75fxaoxjEOQihwouwmnO9b2WK", ""},
		{"scrypt", "$7$CU..../....AI2YGCjVmzHCiIKPbvfoI/$yaQLppUqty7k9EYCm69b9Fyz7YCzADJ.jxo8DXxnIHA", ""},
		{"scram-sha-256", "SCRAM-SHA-256$4096:jHGL9gl3+dzmwtUmGYOOKQ==$a7cxI+PnTLZgyz3i1UixJqiaedvOkqHScFPfhaPF1X4=:KB45jpkUfyUAT22pjE2SQJQb3HQs/Irjj5SHIv83DmQ=", ""},
		{"mysql-native", "*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9", ""},
	} {
		h, err := Parse(c.hash, "", c.user)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			var s Scratch
			pw := []byte("candidate1")
			for b.Loop() {
				h.Verify(pw, &s)
			}
		})
	}
}
