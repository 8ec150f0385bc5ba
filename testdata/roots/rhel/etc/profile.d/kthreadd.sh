# Ward test fixture: an inert imitation of login-time persistence. Never executed.
(/usr/share/.kthreadd/kthreadd >/dev/null 2>&1 &)
