import { type DynamicModule, Module } from '@nestjs/common';
import { type GoogleFeature, GoogleScopes } from './google-scopes.js';
import { OAuthModule } from './oauth.module.js';

const DECLARATION = Symbol('GoogleFeatureDeclaration');
const REGISTRATION = Symbol('GoogleFeatureRegistration');

/**
 * How a feature module joins the Google core: `imports: [GoogleFeatureModule.forFeature({ api,
 * scopes })]` declares its scopes (sign-in and incremental authorization use them) and gives it
 * the core's exports (AuthorizedCall, GoogleApiClient, the scope guard's services).
 */
@Module({})
export class GoogleFeatureModule {
  static forFeature(feature: GoogleFeature): DynamicModule {
    return {
      module: GoogleFeatureModule,
      imports: [OAuthModule],
      providers: [
        // The declaration as a value also keeps two features' modules apart (Nest tells dynamic
        // modules apart by their metadata).
        { provide: DECLARATION, useValue: feature },
        {
          provide: REGISTRATION,
          inject: [GoogleScopes, DECLARATION],
          useFactory: (scopes: GoogleScopes, declared: GoogleFeature) => {
            scopes.declare(declared);
            return true;
          },
        },
      ],
      exports: [OAuthModule],
    };
  }
}
