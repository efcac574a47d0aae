import type { CoreMessageKey } from './messages.en.js';

/** 日本語の表示テキスト。キーは messages.en.ts と共通です。 */
export const ja: Record<CoreMessageKey, string> = {
  'app.name': 'Gmail 未読メール',
  'app.tagline': 'Google でログインして、未読の Gmail を表示します。',
  'nav.signOut': 'ログアウト',
  'nav.disconnect': 'Gmail との連携を解除',
  'nav.disconnectHint':
    'ログアウトし、すべての端末でこのアプリの Google アカウントへのアクセス権を取り消します',
  'nav.signOutHint': 'このブラウザーだけからログアウトします。ほかの端末はログインしたままです',
  'nav.signOutEverywhere': 'すべての端末でログアウト',
  'nav.signOutEverywhereHint':
    'すべての端末とブラウザーでログアウトします。次回のログインのため、Gmail へのアクセス権は残ります',
  'nav.account': 'アカウント',
  'account.title': 'アカウント',
  'account.lead': '{email} として Google でログインしています。',
  'account.sessions': 'ログイン中の端末',
  'account.device': 'ブラウザーとプラットフォーム',
  'account.network': 'ネットワーク',
  'account.created': 'ログイン日時',
  'account.lastSeen': '最終利用',
  'account.thisDevice': 'この端末',
  'account.unknownDevice': '不明なブラウザー',
  'account.scopes': 'このアプリに許可されていること',
  'account.controls': 'ログアウト',
  'account.signOutExplained':
    'ログアウトすると、このブラウザーのセッションだけが終了します。次回のログインで Google が同意を求めることはありません。',
  'account.signOutEverywhereExplained':
    'すべての端末でログアウトすると、上の一覧のセッションがすべて終了します。Gmail へのアクセス権は残るため、再ログインに新たな同意は不要です。',
  'account.disconnectExplained':
    '連携を解除すると、Google でこのアプリのアクセス権を取り消し、このアプリがあなたのアカウントについて保持しているものをすべて削除し、すべての端末でログアウトします。次回のログインでは再び同意を求められます。',
  'scope.openid': 'Google 上のあなたを識別する',
  'scope.email': 'メールアドレスを参照する',
  'scope.profile': '名前とプロフィール写真を参照する',
  'nav.language': '言語',
  'nav.signedInAs': '{email} でログイン中',
  'nav.skipToContent': '本文へスキップ',
  'nav.newTab': '（新しいタブで開きます）',
  'index.title': '未読の Gmail を読む',
  'index.lead':
    'Google アカウントを連携すると、未読メッセージを表示します。ログイン時に求めるのは読み取り専用のアクセスだけです。既読・未読やアーカイブを初めて行うときに、Google にもう一度許可を求めます。メールの送信や削除はせず、メッセージを開いても既読にはしません。',
  'index.connect': 'Gmail に接続',
  'index.continue': '受信トレイへ',
  'index.setupLink': '自分の Google OAuth クライアントを設定するには',
  'index.steps': 'しくみ',
  'index.step1': 'Google でログインし、読み取り専用のアクセスを許可します。',
  'index.step2': 'Google が一度だけ使えるコードを付けてこのサイトに戻します。',
  'index.step3': 'サーバーがコードをトークンに交換し、サーバー上で暗号化して保管します。',
  'setup.title': '自分の Google OAuth クライアントを使う',
  'setup.lead':
    'Google Cloud コンソールに、次のリダイレクト URI をそのまま登録してください。一致しないと Google が自身のページで「エラー 400: redirect_uri_mismatch」を表示してログインを止めます。',
  'setup.redirectUri': '承認済みのリダイレクト URI',
  'setup.step1':
    'Google Cloud コンソールの「API とサービス」→「認証情報」で、種類「ウェブ アプリケーション」の OAuth クライアント ID を作成します。',
  'setup.step2':
    '上のリダイレクト URI を「承認済みのリダイレクト URI」に一字一句たがえず追加します。',
  'setup.step3':
    '同じプロジェクトで Gmail API を有効にします（「API とサービス」→「ライブラリ」→「Gmail API」）。',
  'setup.step4':
    'アプリが「テスト」状態の間は、OAuth 同意画面で自分のアカウントをテストユーザーに追加します。',
  'setup.step5':
    'GOOGLE_CLIENT_ID と GOOGLE_CLIENT_SECRET を .env に書き、npm run build && npm run start:prod を実行します。',
  'setup.restricted':
    'gmail.readonly は制限付きスコープです。一般公開するには Google の審査が必要です。「テスト」状態ではリフレッシュトークンが 7 日で失効します。',
  'error.title': '問題が発生しました',
  'error.home': 'トップページに戻る',
  'error.reconnectButton': 'もう一度 Gmail に接続',
  'error.askAgainButton': '{api} へのアクセスを許可',
  'error.retryAfter': '{seconds} 秒後に再度お試しください。',
  'error.state_invalid':
    'このログイン用リンクは期限切れか、すでに使われています。最初からやり直してください。',
  'error.callback_invalid': 'Google からの応答を確認できませんでした。最初からやり直してください。',
  'error.access_denied':
    'Gmail へのアクセスが許可されなかったため、表示できるものがありません。いつでも接続し直せます。',
  'error.authorization_error': 'Google でログインを完了できませんでした。もう一度お試しください。',
  'error.token_rejected': 'ログインを完了できませんでした。もう一度お試しください。',
  'error.id_token_invalid':
    'Google からの本人確認情報を検証できなかったため、ログインしませんでした。もう一度お試しください。',
  'error.offline_access_missing':
    'Google の同意画面を経ても、このアプリにメールボックスへの継続的なアクセス権が与えられませんでした。もう一度お試しください。繰り返し起こる場合は、Google アカウントの「サードパーティ製のアプリ」でこのアプリを削除してから接続し直してください。',
  'error.domain_refused':
    'このアカウントのドメインはこのサービスを利用できません。組織のアカウントでログインしてください。',
  'error.account_disabled':
    'Google によってこの Google アカウントは無効と報告されているため、ここではログインできません。Google がアカウントを復元すると、再びログインできます。',
  'error.risc_rejected': 'セキュリティイベントを受け付けませんでした: {reason}',
  'error.risc_unavailable':
    '現在セキュリティイベントを検証できません。後でもう一度送信してください。',
  'error.scope_missing':
    'このページに必要な {api} の権限が Google の同意画面で許可されませんでした。もう一度接続し、{api} の権限にチェックを入れてください。',
  'error.reconnect': 'Google とのセッションが終了しました。もう一度 Gmail に接続してください。',
  'error.access_revoked':
    'アクセス権が取り消されたか、期限切れになりました。もう一度 Gmail に接続してください。',
  'error.not_signed_in': '先に Gmail に接続してください。',
  'error.csrf_invalid': 'このフォームは期限切れです。ページを再読み込みしてからお試しください。',
  'error.api_permission':
    'このアプリには必要な {api} の権限がありません。もう一度接続し、{api} へのアクセスを許可してください。',
  'error.api_disabled':
    'この OAuth クライアントの Google Cloud プロジェクトで {api} API が有効になっていません。管理者が有効にする必要があります（Google Cloud コンソール →「API とサービス」→「ライブラリ」→「{api} API」→「有効にする」）。',
  'error.api_busy': '{api} が混み合っています（割り当て超過）。',
  'error.api_not_found': '{api} にその項目はありません。',
  'error.render_busy':
    '長いメッセージの表示が混み合っています。しばらくしてからもう一度お試しください。',
  'error.render_failed': 'このメッセージはここでは表示できません。Gmail で開くことはできます。',
  'error.upstream_unavailable':
    'Google から正常な応答がありませんでした。しばらくしてからお試しください。',
  'error.upstream_timeout':
    'Google の応答に時間がかかりすぎています。しばらくしてからお試しください。',
  'error.shutting_down': 'サーバーを再起動しています。数秒後にお試しください。',
  'error.store_unavailable': 'サービスを一時的に利用できません。数秒後にお試しください。',
  'error.bad_input': 'リクエストの内容を理解できませんでした。',
  'error.rate_limited': 'リクエストが多すぎます。1 分ほど待ってからお試しください。',
  'error.not_found': 'このページは存在しません。',
  'error.internal': '予期しないエラーが発生しました。記録済みです。',
};
