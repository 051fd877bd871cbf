import { call } from '../../../test/http.ts';

let counter = 0;

/** A fresh, valid sign-up body with a unique username and e-mail. */
export function newAccount(prefix = 'user'): { username: string; email: string; password: string; password2: string } {
  counter += 1;
  const username = `${prefix}${process.pid}x${counter}`;
  return { username, email: `${username}@uni.example`, password: 'Str0ngPass', password2: 'Str0ngPass' };
}

/** Signs up a new account and logs it in; returns its id and tokens. */
export async function signUpAndLogIn(baseUrl: string, prefix = 'user') {
  const account = newAccount(prefix);
  const signup = await call(baseUrl, 'POST', '/api/auth/signup', { body: account });
  if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const login = await call(baseUrl, 'POST', '/api/auth/login', { body: { username: account.username, password: account.password } });
  return { ...account, id: signup.body.id as string, token: login.body.token as string, refreshToken: login.body.refreshToken as string };
}
