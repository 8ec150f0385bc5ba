/* Bench only (not shipped): libxcrypt crypt_r rate for one setting on
 * one core, in CPU time (the machine may be shared). Usage: crypt_rate SETTING SECONDS
 * Prints "<hashes> <seconds> <hashes/s>". */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s SETTING SECONDS\n", argv[0]);
		return 2;
	}
	double limit = atof(argv[2]);
	struct crypt_data *cd = calloc(1, sizeof *cd);
	char pw[32];
	long n = 0;
	double t0 = now(), t;
	do {
		snprintf(pw, sizeof pw, "candidate%ld", n);
		if (crypt_r(pw, argv[1], cd) == NULL || cd->output[0] == '*') {
			fprintf(stderr, "crypt_r failed for %s\n", argv[1]);
			return 1;
		}
		n++;
		t = now() - t0;
	} while (t < limit);
	printf("%ld %.3f %.1f\n", n, t, n / t);
	return 0;
}
