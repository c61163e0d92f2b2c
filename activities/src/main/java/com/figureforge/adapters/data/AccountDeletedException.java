package com.figureforge.adapters.data;

/**
 * The account was deleted (or its deletion is under way and the profile is already gone): the user
 * must not be created again. The API answers with a clear "account deleted" error instead.
 */
public class AccountDeletedException extends RuntimeException {

    private final transient AccountTombstone tombstone;

    public AccountDeletedException(AccountTombstone tombstone) {
        super("account " + tombstone.userId() + " was deleted");
        this.tombstone = tombstone;
    }

    public AccountTombstone tombstone() {
        return tombstone;
    }
}
