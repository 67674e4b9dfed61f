import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { OperatorGuard } from './operator.guard';
import { ReportAccessGuard } from './report-access.guard';
import { SiteOperatorGuard } from './site-operator.guard';

/** The reason of each refusal, as docs/openapi.json says it (the answers carry the precise one in `message`). */
const REFUSALS: Record<number, string> = {
  400: 'bad input: the message says which field and why',
  401: 'no token, or a forged, expired or unknown one',
  403: "not this caller's: another resident's data, another site's token, a viewer writing, or no consent",
  404: 'no such site, participant, device or order',
  409: 'in conflict with the state (a site defined by a file, a wrong allocation key)',
  413: 'a body over 4 MB',
  415: 'a body that is not JSON',
  429: 'over the rate limit (Retry-After says when), or too many live streams open (the reason says which)',
};

/** The refusals a route may answer, with their reasons (429 on every /api route). */
export function ApiRefusals(...codes: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...[...codes, 429].map((status) => ApiResponse({ status, description: REFUSALS[status] })));
}

/** What the route does, for the OpenAPI document: its one-line summary and its access rule. */
export function ApiRoute(summary: string, access: string): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiOperation({ summary, description: `Access: ${access}` }));
}

/**
 * The access rules of the API, each its guard and its documentation together, so the OpenAPI document says what the
 * code does. `open`: anyone; `siteOperator`: one îlot's operator (the deployment's token, a signed operator token of
 * the site, or an identity provider's token with a role on it; a viewer only reads); `deploymentOperator`: the
 * deployment's token or `operator:*`; `participant`: that resident (their signed token, in the header or, on a GET,
 * `?access_token=`) or the site's operator.
 */
export const Access = {
  open: (summary: string, ...refusals: number[]) =>
    applyDecorators(ApiRoute(summary, 'anyone'), ApiRefusals(400, 404, ...refusals)),
  siteOperator: (summary: string, ...refusals: number[]) =>
    applyDecorators(
      UseGuards(SiteOperatorGuard),
      ApiBearerAuth('bearer'),
      ApiRoute(summary, "the site's operator (a viewer only reads)"),
      ApiRefusals(401, 403, 404, ...refusals),
    ),
  deploymentOperator: (summary: string, ...refusals: number[]) =>
    applyDecorators(
      UseGuards(OperatorGuard),
      ApiBearerAuth('bearer'),
      ApiRoute(summary, "the deployment's operator (ILOT_OPERATOR_TOKEN, or operator:* of the identity provider)"),
      ApiRefusals(401, 403, ...refusals),
    ),
  participant: (summary: string, ...refusals: number[]) =>
    applyDecorators(
      UseGuards(ReportAccessGuard),
      ApiBearerAuth('bearer'),
      ApiQuery({
        name: 'access_token',
        required: false,
        description: "on a GET, the resident's own signed token (a link opened in a browser); never an operator's",
      }),
      ApiRoute(summary, "that participant's resident, or the site's operator"),
      ApiRefusals(401, 403, 404, ...refusals),
    ),
};
