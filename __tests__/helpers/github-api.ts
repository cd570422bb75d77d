import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * GitHub's REST API for pull-request comments, as a local server: GitHub's own service cannot run here, so it is the
 * one faked part. It answers as GitHub does for the calls the action makes (list, create, update a comment; who the
 * token is), refuses a body over 65,536 characters with GitHub's 422, and lets a comment be edited only by its author
 * (403 otherwise).
 */

export interface Call {
  readonly method: string
  readonly url: string
  readonly body?: { body?: string }
}

export interface StoredComment {
  id: number
  issue: number
  body: string
  user: { login: string; type: string }
}

export interface FakeGitHub {
  readonly url: string
  readonly calls: Call[]
  readonly comments: StoredComment[]
  close(): Promise<void>
}

/** GitHub's limit on an issue comment's body. */
export const COMMENT_LIMIT = 65_536

export interface FakeGitHubOptions {
  /** Who the token is: `GET /user` answers 403 for the job's GITHUB_TOKEN (as GitHub does), so it is not a user. */
  readonly tokenUser?: string
  /** An answer for every write (POST, PATCH): a status, as GitHub's refusal of a token without pull-requests: write. */
  readonly writeStatus?: number
}

const BOT = 'github-actions[bot]'
const issueOf = (url: string): number => Number(/\/issues\/(\d+)\//.exec(url)?.[1])

export async function fakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const calls: Call[] = []
  const comments: StoredComment[] = []
  const author = options.tokenUser ?? BOT
  const read = async (request: IncomingMessage): Promise<string> => {
    let text = ''
    for await (const chunk of request) text += String(chunk)
    return text
  }
  const server = createServer((request, response) => {
    void read(request).then((text) => {
      const body = text ? (JSON.parse(text) as { body?: string }) : undefined
      const method = request.method ?? ''
      const url = request.url ?? ''
      calls.push({ method, url, body })
      response.setHeader('content-type', 'application/json')
      const answer = (status: number, value: unknown): void => {
        response.statusCode = status
        response.end(JSON.stringify(value))
      }
      const tooLong = (): boolean => (body?.body ?? '').length > COMMENT_LIMIT
      const refused = (): void =>
        answer(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'IssueComment',
              code: 'unprocessable',
              field: 'data',
              message: 'Body is too long (maximum is 65536 characters)',
            },
          ],
        })
      if (options.writeStatus && (method === 'POST' || method === 'PATCH')) {
        answer(options.writeStatus, { message: 'Resource not accessible by integration' })
      } else if (method === 'GET' && url === '/user') {
        if (options.tokenUser) answer(200, { login: options.tokenUser, type: 'User' })
        else answer(403, { message: 'Resource not accessible by integration' })
      } else if (method === 'GET' && /^\/repos\/acme\/api\/issues\/\d+\/comments/.test(url)) {
        answer(
          200,
          comments.filter(({ issue }) => issue === issueOf(url)),
        )
      } else if (method === 'POST' && /^\/repos\/acme\/api\/issues\/\d+\/comments$/.test(url)) {
        if (tooLong()) return refused()
        const comment = {
          id: 101 + comments.length,
          issue: issueOf(url),
          body: body?.body ?? '',
          user: { login: author, type: 'Bot' },
        }
        comments.push(comment)
        answer(201, comment)
      } else if (method === 'PATCH' && /^\/repos\/acme\/api\/issues\/comments\/\d+$/.test(url)) {
        const comment = comments.find(({ id }) => String(id) === url.split('/').at(-1))
        if (!comment) return answer(404, { message: 'Not Found' })
        if (comment.user.login !== author) return answer(403, { message: 'Resource not accessible by integration' })
        if (tooLong()) return refused()
        comment.body = body?.body ?? ''
        answer(200, comment)
      } else {
        answer(404, { message: 'Not Found' })
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    comments,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The calls as `METHOD /path` (the query left out). */
export const callLines = (calls: readonly Call[]): string[] =>
  calls.map(({ method, url }) => `${method} ${url.split('?')[0]}`)
