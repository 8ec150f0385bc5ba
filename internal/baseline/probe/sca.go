package probe

func (t *Target) sca(rule string) Result { return errorf("SCA rules are not supported yet") }
