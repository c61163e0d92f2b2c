package com.figureforge.app.users;

import com.figureforge.adapters.data.UserRecord;

/** The authenticated caller, with their user record (created on their first request). */
public record CurrentUser(String id, String username, UserRecord record) {}
