import type { RightsRequest } from '../../requests/model.js'
import { kindName } from '../request-texts.js'

/** What the requester is told when staff act. Bilingual: the requester's language is not stored with the request. */

export function verified(r: RightsRequest, due: string): string {
  return [
    `您的申请 ${r.id}（${kindName(r, 'zh')}）已完成身份核验，我们将在 ${due} 前答复您。`,
    `Your identity for request ${r.id} has been verified; we will respond by ${due}.`,
  ].join('\n')
}

export function staffReply(r: RightsRequest, text: string): string {
  return [`【即库科技隐私团队回复 Reply from Jiku’s privacy team】`, `编号 Request: ${r.id}`, '', text].join('\n')
}

export function closed(r: RightsRequest): string {
  return [`您的申请 ${r.id} 已办结。如有疑问，回复“人工”联系我们。`, `Your request ${r.id} is now closed. Questions? Reply “staff”.`].join('\n')
}

/** PIPL art. 50: a refusal states its reasons, and the person may complain or go to court. */
export function rejected(r: RightsRequest, reason: string): string {
  return [
    `很抱歉，您的申请 ${r.id} 未能获准。理由：${reason}`,
    '如有异议，您可以回复“投诉”向我们投诉，也可以向履行个人信息保护职责的部门投诉、举报，或依法向人民法院提起诉讼。',
    `Sorry, your request ${r.id} was declined. Reason: ${reason}`,
    'If you disagree, reply “complain” to complain to us; you may also complain to the authority responsible for personal information protection, or bring a lawsuit.',
  ].join('\n')
}
