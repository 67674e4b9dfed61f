import {
  BadRequestException,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  PayloadTooLargeException,
  PipeTransform,
} from '@nestjs/common';
import type { Request } from 'express';

/** The largest JSON body read: a month of custom allocation shares for 40 participants is ~3 MB. */
export const JSON_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** The largest text body read: a month of the distributor's data for 100 delivery points is ~25 MB. */
export const TEXT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/** A request's body, bytes; past the limit 413 (from Content-Length before reading, else while reading); none: undefined. */
async function readBody(request: Request, limitBytes: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  const tooLarge = () => new PayloadTooLargeException(`the body is over ${limitBytes / 1024 / 1024} MB`);
  if (declared > limitBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return size === 0 ? undefined : Buffer.concat(chunks);
}

/**
 * Reads and parses a request's JSON body. Called from a route's parameters, that is after its guards: nothing of a
 * body is read before the caller is authenticated (issue 15), so an anonymous or forged request never makes the
 * process read and parse megabytes. Past the limit: 413 (from Content-Length before reading, else while reading);
 * not JSON: 400 with the parser's reason; no body: undefined.
 */
export async function readJsonBody(request: Request, limitBytes = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  const body = await readBody(request, limitBytes);
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BadRequestException(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A request's body as UTF-8 text (a CSV file), read after the guards as the JSON one; none: 400. */
export async function readTextBody(request: Request, limitBytes = TEXT_BODY_LIMIT_BYTES): Promise<string> {
  const body = await readBody(request, limitBytes);
  if (body === undefined) throw new BadRequestException('the body is empty: send the file as the request body');
  const text = body.toString('utf8');
  if (text.includes('\uFFFD')) throw new BadRequestException('the body is not UTF-8 text');
  return text;
}

@Injectable()
class ReadJsonBodyPipe implements PipeTransform<Request, Promise<unknown>> {
  transform(request: Request): Promise<unknown> {
    return readJsonBody(request);
  }
}

const CurrentRequest = createParamDecorator((_: unknown, context: ExecutionContext) =>
  context.switchToHttp().getRequest<Request>(),
);

/** A route's JSON body, read after its guards (`@JsonBody() body: unknown`): use it instead of `@Body()`. */
export const JsonBody = (): ParameterDecorator => CurrentRequest(undefined, ReadJsonBodyPipe);

@Injectable()
class ReadTextBodyPipe implements PipeTransform<Request, Promise<string>> {
  transform(request: Request): Promise<string> {
    return readTextBody(request);
  }
}

/** A route's text body (a CSV file), read after its guards (`@TextBody() body: string`). */
export const TextBody = (): ParameterDecorator => CurrentRequest(undefined, ReadTextBodyPipe);
