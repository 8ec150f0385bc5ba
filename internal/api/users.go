package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

func (s *server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	out := wire.List[wire.User]{Items: []wire.User{}}
	for _, u := range users {
		out.Items = append(out.Items, userView(u))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request) error {
	var req wire.CreateUser
	if err := decodeJSON(r, &req, false); err != nil {
		return err
	}
	if req.Name == "" || len(req.Name) > maxNameLen || strings.TrimSpace(req.Name) != req.Name {
		return badRequest("name", "name is required: at most %d bytes, no surrounding spaces", maxNameLen)
	}
	role := store.Role(req.Role)
	if !role.Valid() {
		return badRequest("role", "role must be admin, operator or viewer, got %q", req.Role)
	}
	u, err := s.store.CreateUser(r.Context(), req.Name, role)
	if errors.Is(err, store.ErrConflict) {
		return &Error{Status: http.StatusConflict, Msg: "a user named " + strconv.Quote(req.Name) + " exists", Field: "name"}
	}
	if err != nil {
		return err
	}
	s.audit(r, auditUserCreate, userTarget(u.ID), map[string]any{"name": u.Name, "role": u.Role})
	return writeJSON(w, http.StatusCreated, userView(u))
}

func (s *server) disableUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if id == principal(r).UserID {
		// The last admin locking themselves out would need the database to undo.
		return badRequest("id", "you cannot disable yourself")
	}
	err = s.store.DisableUser(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no user with id %d", id)
	}
	if err != nil {
		return err
	}
	s.audit(r, auditUserDisable, userTarget(id), nil)
	return noContent(w)
}

func userTarget(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

func userView(u store.User) wire.User {
	return wire.User{ID: u.ID, Name: u.Name, Role: string(u.Role), CreatedAt: wire.Time(u.CreatedAt),
		DisabledAt: wire.Time(u.DisabledAt)}
}
